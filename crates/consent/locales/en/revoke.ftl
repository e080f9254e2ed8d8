# Guidance after revoking tenant-wide consent (the `revoke` transition).
# Loaded as an extra resource next to guidance.ftl. Microsoft's labels stay English, in quotes.
# Arguments: $app (the app's name under Enterprise applications), $grants and $roles (counts).

revoke-title = Admin consent for { $app } was revoked
revoke-summary = The permissions granted for the whole organisation were removed ({ $grants } delegated { $grants ->
        [one] grant
       *[other] grants
    }, { $roles } app { $roles ->
        [one] role
       *[other] roles
    }). Employees who link { $app } now see what the tenant's consent settings say.
revoke-admin-where = To grant it again, open Enterprise applications, choose { $app }, then "Permissions" and "Grant admin consent for" your organisation.
revoke-user-next = If you still need { $app }, start linking again; when you see "Approval required", explain why and press "Request approval".
revoke-nothing = { $app } had no admin consent to revoke.
