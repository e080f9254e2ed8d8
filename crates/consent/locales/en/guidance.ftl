# entra-consent guidance, English.
#
# Every message receives $product (what the user knows the product as), $app (the app's name under
# Enterprise applications, often the same), $task (an infinitive phrase completing "You need this
# to …") and $button (the caption of the button that starts linking again).
# Microsoft's UI labels are quoted exactly as Microsoft shows them.

## The product's neutral defaults

product-default-task = use { $product }
product-default-button = Sign in again

## Renderers

heading-user = What you (the user) do
heading-admin = What your administrator does
label-where = Where
label-admin-consent-link = Admin consent link for { $app }

## Shared pieces

path-admin-consent-settings = Microsoft Entra admin center → Identity → Applications → Enterprise applications → Consent and permissions → Admin consent settings
path-admin-consent-requests = Microsoft Entra admin center → Identity → Applications → Enterprise applications → Admin consent requests
path-app-properties = Microsoft Entra admin center → Identity → Applications → Enterprise applications → { $app } → Properties
who-may-approve = a Global Administrator, Privileged Role Administrator, Cloud Application Administrator or Application Administrator (approving Microsoft Graph application permissions needs Global Administrator or Privileged Role Administrator)
propagation = Changes can take up to an hour to reach every sign-in; if Microsoft still asks for approval, wait and try again.
error-named = error "{ $error }"

## Why users may not consent ("… because { $reasons }")

reason-user-consent-disabled = the tenant does not allow users to consent to apps ("Do not allow user consent")
reason-admin-only-scope = { $scope } always needs an administrator
reason-microsoft-managed = the Microsoft-managed consent policy no longer lets users grant { $scope } to third-party apps
reason-unverified-publisher = users may only consent to apps from verified publishers
reason-not-low-impact = { $scope } is not classified as low impact
reason-assignment-required = the app requires user assignment
reason-custom-policy = a custom app consent policy is in force
reason-application-permission = the application permission { $scope } always needs an administrator

## The tenant's state (ConsentState)

state-review-step = Open the request for "{ $app }", choose "Review permissions and consent", check the permissions and press "Accept". This grants consent for the whole organisation.
state-user-consent-allowed-title = Users can approve { $app } themselves
state-user-consent-allowed-summary = This tenant's setting "{ $setting }" lets users consent to the permissions { $app } asks for. No administrator is needed.
state-user-consent-allowed-user = Press "{ $button }", sign in, review the permissions and press "Accept".
state-requests-disabled-title = An administrator must enable consent requests or approve { $app }
state-requests-disabled-summary = Users see "Need admin approval" (AADSTS90094) and cannot ask for access because { $reasons }. Consent requests are turned off in this tenant.
state-requests-disabled-user = Send your IT administrator this page and ask them to approve { $app } for the organisation, or to let users request approval.
state-requests-disabled-admin-enable = Turn on "Users can request admin consent to apps they are unable to consent to", pick the reviewers (users, a group or a role) and press "Save".
state-requests-disabled-admin-grant = Or approve { $app } for everyone right away with the admin consent link, signed in as a Cloud Application Administrator or higher.
state-requests-enabled-title = Request approval for { $app }
state-requests-enabled-summary = Users cannot consent alone because { $reasons }, but they can ask: Microsoft shows "Approval required" (AADSTS90095). Requests go to the designated reviewers and expire after { $days ->
        [one] one day
       *[other] { $days } days
    }.
state-requests-enabled-user-start = Press "{ $button }" again. When Microsoft shows "Approval required", write why you need { $product } (for example, that you need it to { $task }).
state-requests-enabled-user-send = Press "Request approval". You will get an email when a reviewer decides; then press "{ $button }" again.
state-requests-enabled-admin = Reviewers: watch for the request email, then go to the admin consent requests. { state-review-step }
state-pending-title = A request to approve { $app } is waiting for review
state-pending-summary = { $count ->
        [one] One user
       *[other] { $count } users
    } asked for { $scopes }.
state-pending-summary-named = { $count ->
        [one] One user
       *[other] { $count } users
    } ({ $names }) asked for { $scopes }.
state-pending-expires = The request expires on { $date }.
state-pending-user = Your request was sent. You will get an email when a reviewer decides; there is no need to ask again.
state-pending-admin-review = { state-review-step }
state-pending-admin-roles = Approving Microsoft Graph application permissions needs Privileged Role Administrator or Global Administrator; Cloud Application Administrators can approve delegated permissions.
state-approved-title = { $app } is approved for the whole organisation
state-approved-summary = Tenant-wide consent covers { $scopes }. Every employee can now { $task } without an administrator. Changes can take a few minutes (up to an hour) to reach sign-in.
state-approved-user = Press "{ $button }" again and sign in. If you still see "Approval required", wait a few minutes and retry.
state-closed-request-again = You may ask again: press "{ $button }", explain why you need { $product } and press "Request approval".
state-closed-requests-off-user = Consent requests are now turned off; ask your IT administrator directly.
state-closed-requests-off-admin = Turn on "Users can request admin consent to apps they are unable to consent to" to let users ask again.
state-denied-title = The request for { $app } was denied
state-denied-summary = A reviewer denied the request.
state-denied-summary-reason = A reviewer denied the request and wrote: "{ $reason }".
state-denied-admin = To allow it after all, approve it with the admin consent link or from a new request. { state-review-step }
state-expired-title = The request for { $app } expired
state-expired-summary = Nobody reviewed the request before it expired.
state-expired-admin = Check that the reviewers receive the request emails (admin accounts often have no mailbox) and review new requests in time.
state-blocked-title = { $app } is blocked in this organisation
state-blocked-summary = A reviewer blocked the app: its enterprise application is disabled and new requests are refused.
state-blocked-user = You cannot { $task } for now. Talk to your IT administrator.
state-blocked-admin = To unblock, open the enterprise application, set "Enabled for users to sign in?" to "Yes", then grant consent.

## The user's sign-in callback (LinkOutcome)

link-authorized-title = { $product } is connected
link-authorized-summary = Microsoft signed you in and granted access. Nothing else is needed.
link-authorized-user = No action needed.
link-workflow-off-title = Your administrator must approve { $product }
link-workflow-off-summary = Microsoft showed "Need admin approval": your organisation does not let users consent to { $product }'s permissions themselves, and requests for admin approval are turned off ({ $codes }).
link-workflow-off-user-ask = Ask your IT administrator to approve { $product }: say that you need it to { $task }, and forward the admin consent link if one is shown.
link-workflow-off-user-retry = After your administrator approves, press "{ $button }" again. { propagation }
link-grant-with-link = To approve { $product } for everyone now, open the admin consent link below, sign in as { who-may-approve }, review the permissions and press "Accept".
link-grant-without-link = To approve { $product } for everyone now, open Enterprise applications → { $app } → Permissions and press "Grant admin consent" (this needs { who-may-approve }).
link-workflow-off-admin-enable = So that users can ask you next time instead of being blocked, turn on "Users can request admin consent to apps they are unable to consent to", choose the reviewers, and press "Save".
link-workflow-on-title = Ask your administrator to approve { $product }
link-workflow-on-summary = Users may not consent to { $product }'s permissions themselves, but your organisation accepts approval requests ({ $codes }).
link-workflow-on-user-request = If you have not sent a request yet: press "{ $button }" again, and on Microsoft's "Approval required" page write why you need { $product } (for example, that you need it to { $task }) and press "Request approval".
link-workflow-on-user-wait = Microsoft emails you when a reviewer decides. Then press "{ $button }" again. { propagation }
link-workflow-on-admin = Open the request for { $app }, press "Review permissions and consent", check the permissions and press "Accept" (this needs { who-may-approve }).
link-consent-required-title = { $product } needs your consent
link-consent-required-summary = No consent exists yet for { $product } ({ $codes }); the sign-in ran without showing Microsoft's consent page.
link-consent-required-user = Press "{ $button }" again and accept { $product }'s permissions when Microsoft asks.
link-consent-required-admin = If users keep seeing this after you approved { $app }, check under Enterprise applications → { $app } → Permissions that the approval covers every permission it asks for. { propagation }
link-cancelled-title = Sign-in was cancelled
link-cancelled-summary = The consent page was closed or declined ({ $codes }), so nothing was changed.
link-cancelled-user = To { $task }, press "{ $button }" again and accept { $product }'s permissions when Microsoft asks.
link-not-in-tenant-title = { $product } is not set up in your organisation
link-not-in-tenant-summary = Microsoft could not find { $product } in your organisation's directory ({ $codes }).
link-not-in-tenant-user = Forward the admin consent link to your IT administrator and ask them to add { $product }. Then press "{ $button }" again.
link-not-in-tenant-admin-with-link = Open the admin consent link below and sign in with an administrator account of your organisation ({ who-may-approve }); pressing "Accept" adds { $app } to Enterprise applications and grants its permissions for everyone.
link-not-in-tenant-admin-without-link = { $app } has to be added to your organisation by an administrator: ask { $product }'s support for its admin consent link, open it signed in as { who-may-approve }, and press "Accept".
link-risky-title = Microsoft requires an administrator to approve { $product }
link-risky-summary = Microsoft's risk-based step-up consent judged this request risky ({ $codes }), typically because the app's publisher is not verified and it asks for more than basic permissions. Only an administrator can approve it.
link-risky-user-request = On Microsoft's "Approval required" page, write why you need { $product } and press "Request approval"; press "{ $button }" again once it is approved.
link-risky-admin-review = Review the request for { $app } (publisher, permissions) and, if you trust it, press "Review permissions and consent" and then "Accept".
link-risky-user-ask = Ask your IT administrator to review and approve { $product }; forward the admin consent link if one is shown.
link-risky-admin-check-with-link = Check { $app }'s publisher and permissions first. { link-grant-with-link }
link-risky-admin-check-without-link = Check { $app }'s publisher and permissions first. { link-grant-without-link }
link-misconfigured-title = { $product } could not start the sign-in
link-misconfigured-summary = This is a problem on { $product }'s side, not yours or your administrator's: { $what } ({ $codes }).
misconfig-redirect-uri = the address Microsoft should return to is not registered on the app
misconfig-unknown-scope = the app asks for a permission or API that does not exist or that its registration does not list
misconfig-invalid-scope = the app asks for a malformed permission
link-misconfigured-user = Contact { $product }'s support and quote { $codes }, with the time of the attempt. Nothing can be fixed in your organisation's settings.
link-state-mismatch-title = This sign-in attempt could not be verified
link-state-mismatch-summary = The response from Microsoft was ignored for your safety because { $why }.
state-problem-missing = it carried no attempt identifier
state-problem-different = it belongs to another sign-in attempt: an old tab, a second attempt, or a link someone sent you
link-state-mismatch-user = Close other { $product } tabs and press "{ $button }" again in this one.
link-expired-title = The sign-in attempt timed out
link-expired-summary = Sign-in took longer than { $minutes ->
        [one] one minute
       *[other] { $minutes } minutes
    }, so the response was not used.
link-expired-user = Press "{ $button }" again and finish signing in to { $product } without a long pause.
link-other-title = Microsoft could not complete the sign-in to { $product }
link-other-summary = Microsoft reported { $codes }.
link-other-user = Press "{ $button }" again. If it keeps failing, contact { $product }'s support and quote { $codes }.

## The admin-consent callback (AdminConsentOutcome)

admin-granted-title = { $product } is approved for your organisation
admin-granted-summary = An administrator granted { $product }'s permissions for the whole organisation (tenant { $tenant }).
admin-granted-summary-unconfirmed = An administrator granted { $product }'s permissions for the whole organisation (tenant { $tenant }). The tenant id came from the browser and has not been confirmed yet.
admin-granted-user = Everyone can now press "{ $button }". { propagation }
admin-granted-admin = Nothing more to do. The granted permissions are listed under Enterprise applications → { $app } → Permissions.
admin-declined-title = { $product } was not approved
admin-declined-summary = The consent page was cancelled or declined ({ $codes }), so nothing was granted.
admin-declined-admin = If that was not intended, open the admin consent link again, sign in as { who-may-approve }, and press "Accept".
admin-declined-user = Until an administrator approves { $product }, nobody can { $task }.
admin-state-mismatch-title = This approval response could not be verified
admin-state-mismatch-summary = The response did not match any admin consent link { $product } issued, so it was ignored.
admin-state-mismatch-admin = Open the newest admin consent link from { $product } (older ones stop working once replaced) and approve again.
admin-tenant-mismatch-title = The approval came from a different organisation
admin-tenant-mismatch-summary = The link was made for { $expected } but the response named { $returned }; it was ignored because such a response can be forged.
admin-tenant-none = no organisation
admin-tenant-mismatch-admin = Sign out, then open the admin consent link for { $product } again signed in with an administrator account of { $expected }.
admin-other-title = Microsoft could not approve { $product }
admin-other-summary = Microsoft reported { $codes }.
admin-other-admin = Check that you are signed in as { who-may-approve } and open the admin consent link again; if it keeps failing, contact { $product }'s support and quote { $codes }.
