# entra-consent link health guidance, English.
#
# After consent: why a linked account stopped working (consent::link::LinkHealth). Every message
# receives $product, $app, $task and $button like guidance.ftl; most also $code (the AADSTS code,
# Graph error code or HTTP status that decided). Microsoft's error text is never passed in.
# Microsoft's UI labels are quoted exactly as Microsoft shows them.

## Shared pieces

health-no-code = no error code
health-path-users = Microsoft Entra admin center → Identity → Users → All users
health-path-sign-in-logs = Microsoft Entra admin center → Identity → Monitoring & health → Sign-in logs
health-path-app-properties = Microsoft Entra admin center → Identity → Applications → Enterprise applications → { $app } → Properties
health-path-app-permissions = Microsoft Entra admin center → Identity → Applications → Enterprise applications → { $app } → Permissions
health-path-licences = Microsoft 365 admin center → Users → Active users → the user → Licenses and apps
health-vendor-support = If this happens again soon after you sign in, contact { $product }'s support and quote { $code }: the cause is on { $product }'s side.

## Outcomes

health-healthy-title = The link to { $product } works
health-healthy-summary = Microsoft accepted the stored sign-in and { $product } could read the account. Nothing needs to be done.
health-healthy-user = No action needed.

health-consent-revoked-title = { $product } no longer has permission to use your account
health-consent-revoked-summary = Microsoft reports that the permission given to { $product } no longer exists ({ $code }): an administrator or you removed it, or it does not cover what { $product } now asks for.
health-consent-revoked-user = Press "{ $button }" again and accept { $product }'s permissions. If Microsoft shows "Need admin approval" or "Approval required", follow what that page says.
health-consent-revoked-admin = If the permissions were removed on purpose, nothing needs to be done. Otherwise grant them again: open { $app }'s permissions and press "Grant admin consent".

health-reauth-title = Sign in to { $product } again
health-reauth-summary = Microsoft no longer accepts the stored sign-in ({ $code }). This happens after a password change or reset, when sign-ins were revoked, when the sign-in was not used for a long time or your organisation requires signing in again regularly, or when Microsoft needs an extra step such as multi-factor authentication.
health-reauth-user = Press "{ $button }" and sign in again, completing any extra step Microsoft asks for.

health-account-title = The Microsoft account linked to { $product } cannot sign in
health-account-summary = Microsoft reports that the account is disabled, deleted, locked or not part of the organisation ({ $code }).
health-account-user = Ask your IT administrator whether your account is still active. If you now use another account, press "{ $button }" and sign in with that one.
health-account-admin-users = Look up the user: if the account was disabled by mistake, enable it again ("Account enabled" in its properties).
health-account-admin-logs = For a lockout or a blocked sign-in, the sign-in log entry of the failed attempt gives the reason.

health-policy-title = Your organisation's access policy blocks { $product }
health-policy-summary = A Conditional Access policy or a mailbox access policy of your organisation did not allow { $product } in ({ $code }). Such policies can require a compliant or managed device, a trusted location, or block an app.
health-policy-user = Ask your IT administrator to check the access policies for { $product }. If your organisation asks you to enrol your device, do so and press "{ $button }" again.
health-policy-admin = Open the failed sign-in in the sign-in logs: its "Conditional Access" tab names the policy. If { $product } should be allowed, exclude { $app } from that policy or adjust it; device conditions may not be met when { $product } refreshes the sign-in from its own servers.

health-mailbox-title = { $product } cannot reach a Microsoft 365 mailbox for this account
health-mailbox-summary = Microsoft Graph reports that the account has no Exchange Online mailbox ({ $code }): it has no licence that includes Exchange Online, the mailbox is inactive or soft-deleted, or it is hosted on an on-premises Exchange server.
health-mailbox-user = Ask your IT administrator whether your account has an Exchange Online mailbox. When it has one, press "{ $button }" again.
health-mailbox-admin = Assign the user a licence that includes Exchange Online, or move the mailbox from the on-premises Exchange server to Exchange Online. A new mailbox can take a while before apps can reach it.

health-scopes-title = { $product } needs more permissions
health-scopes-summary = The stored sign-in does not include a permission { $product } now needs ({ $code }).
health-scopes-user = Press "{ $button }" again and accept the permissions Microsoft shows. If Microsoft shows "Need admin approval" or "Approval required", follow what that page says.
health-scopes-admin = If users may not accept these permissions themselves, approve { $app } again for everyone: open its permissions and press "Grant admin consent".

health-app-disabled-title = { $product } is disabled in your organisation
health-app-disabled-summary = Sign-in to { $app } is turned off in your organisation ({ $code }), so Microsoft no longer lets { $product } in.
health-app-disabled-user = Ask your IT administrator whether { $product } may be used. Once it is enabled again, press "{ $button }".
health-app-disabled-admin = To allow { $product } again, set "Enabled for users to sign in?" to "Yes" in the properties of { $app } and press "Save". If it is already enabled, contact { $product }'s support: the publisher may have disabled the app.

health-not-in-tenant-title = { $product } is no longer set up in your organisation
health-not-in-tenant-summary = Microsoft could not find { $app } in your organisation's directory ({ $code }): it was removed, or never added.
health-not-in-tenant-user = Ask your IT administrator to add { $product } again. Then press "{ $button }".
health-not-in-tenant-admin = Add { $app } again by approving it: ask { $product }'s support for its admin consent link, open it signed in as an administrator and press "Accept". If { $app } is still listed under Enterprise applications, tell { $product }'s support, quoting { $code }.

health-credentials-title = { $product } could not prove its identity to Microsoft
health-credentials-summary = Microsoft refused { $product }'s own credentials ({ $code }): its client secret or certificate is wrong or has expired. This is a problem on { $product }'s side; nothing is wrong with your account or your organisation's settings.
health-credentials-user = Contact { $product }'s support and quote { $code }. Nothing needs to change in your account.

health-transient-title = Microsoft is briefly unavailable for { $product }
health-transient-summary = Microsoft answered that it is busy or briefly unavailable ({ $code }). Nothing is wrong with the link.
health-transient-summary-wait = Microsoft answered that it is busy or briefly unavailable ({ $code }) and asked to wait { $seconds ->
        [one] one second
       *[other] { $seconds } seconds
    } before trying again. Nothing is wrong with the link.
health-transient-user = No action needed. If it keeps happening for more than an hour, contact { $product }'s support and quote { $code }.

health-unknown-title = { $product } could not check the link
health-unknown-summary = Microsoft answered with an error { $product } does not recognise ({ $code }).
health-unknown-user = Press "{ $button }" again. If it keeps failing, contact { $product }'s support and quote { $code }.
