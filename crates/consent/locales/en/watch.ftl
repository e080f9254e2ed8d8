# entra-consent guidance for watching and re-checking an approval, English.
# Same arguments as guidance.ftl ($product, $app, $task, $button); messages of guidance.ftl
# (such as { propagation }) may be used here.

## The user's silent re-check (prompt=none)

recheck-approved-title = { $product } is approved
recheck-approved-summary = Your organisation has approved { $product }; Microsoft signed you in without asking anything.
recheck-approved-user = Nothing to do: you can { $task } now.
recheck-blocked-title = { $product } is still waiting for approval
recheck-blocked-summary = Microsoft would still ask before letting you use { $product } ({ $codes }), so no administrator has approved it yet.
recheck-blocked-user = Wait for Microsoft's email that a reviewer decided, then press "{ $button }" again. If you never sent a request, press "{ $button }" and use "Request approval".
recheck-blocked-admin = Open the request for { $app }, press "Review permissions and consent" and press "Accept" (this needs { who-may-approve }).
recheck-not-yet-title = { $product } is approved, but not in effect yet
recheck-not-yet-summary = Your administrator has approved { $product }, but Microsoft's sign-in does not know it yet: changes can take up to an hour to arrive. Expect it by { $time }.
recheck-not-yet-user = Nothing is wrong and you do not need to ask again. Press "{ $button }" again after { $time }.
recheck-not-yet-admin = Nothing to do: the approval of { $app } is recorded and is reaching every sign-in. If users are still refused an hour after you approved, check under Enterprise applications → { $app } → Permissions that it covers every permission.
recheck-sign-in-title = Sign in to check { $product }
recheck-sign-in-summary = Microsoft could not check quietly whether { $product } is approved, because you are not signed in to your work account in this browser.
recheck-sign-in-user = Press "{ $button }" and sign in with your work account.
