# entra-consent gezondheid van gekoppelde accounts, Nederlands.
#
# Na toestemming: waarom een gekoppeld account niet meer werkt (consent::link::LinkHealth). Elke
# melding krijgt $product, $app, $task en $button zoals guidance.ftl; de meeste ook $code (de
# AADSTS-code, Graph-foutcode of HTTP-status die de doorslag gaf). De fouttekst van Microsoft wordt
# nooit doorgegeven. Labels uit de portals van Microsoft staan in het Engels tussen aanhalingstekens,
# omdat Microsoft de Nederlandse teksten niet documenteert.

## Gedeelde onderdelen

health-no-code = geen foutcode
health-path-users = Microsoft Entra-beheercentrum → "Identity" → "Users" → "All users"
health-path-sign-in-logs = Microsoft Entra-beheercentrum → "Identity" → "Monitoring & health" → "Sign-in logs"
health-path-app-properties = Microsoft Entra-beheercentrum → "Identity" → "Applications" → "Enterprise applications" → { $app } → "Properties"
health-path-app-permissions = Microsoft Entra-beheercentrum → "Identity" → "Applications" → "Enterprise applications" → { $app } → "Permissions"
health-path-licences = Microsoft 365-beheercentrum → "Users" → "Active users" → de gebruiker → "Licenses and apps"
health-vendor-support = Gebeurt dit kort nadat u zich opnieuw hebt aangemeld weer, neem dan contact op met de ondersteuning van { $product } en vermeld { $code }: de oorzaak ligt bij { $product }.

## Uitkomsten

health-healthy-title = De koppeling met { $product } werkt
health-healthy-summary = Microsoft accepteerde de opgeslagen aanmelding en { $product } kon het account lezen. Er hoeft niets te gebeuren.
health-healthy-user = U hoeft niets te doen.

health-consent-revoked-title = { $product } heeft geen toestemming meer voor uw account
health-consent-revoked-summary = Microsoft meldt dat de toestemming voor { $product } niet meer bestaat ({ $code }): een beheerder of uzelf heeft die ingetrokken, of ze dekt niet wat { $product } nu vraagt.
health-consent-revoked-user = Klik opnieuw op "{ $button }" en accepteer de machtigingen van { $product }. Toont Microsoft "Need admin approval" of "Approval required", volg dan wat die pagina zegt.
health-consent-revoked-admin = Zijn de machtigingen bewust ingetrokken, dan hoeft er niets te gebeuren. Zo niet, verleen ze dan opnieuw: open de machtigingen van { $app } en klik op "Grant admin consent".

health-reauth-title = Meld u opnieuw aan bij { $product }
health-reauth-summary = Microsoft accepteert de opgeslagen aanmelding niet meer ({ $code }). Dat gebeurt na een wijziging of herstel van het wachtwoord, als aanmeldingen zijn ingetrokken, als de aanmelding lang niet is gebruikt of uw organisatie regelmatig opnieuw aanmelden vereist, of als Microsoft een extra stap nodig heeft, zoals meervoudige verificatie.
health-reauth-user = Klik op "{ $button }" en meld u opnieuw aan; voltooi elke extra stap die Microsoft vraagt.

health-account-title = Het Microsoft-account dat aan { $product } is gekoppeld, kan zich niet aanmelden
health-account-summary = Microsoft meldt dat het account is uitgeschakeld, verwijderd of geblokkeerd, of geen deel uitmaakt van de organisatie ({ $code }).
health-account-user = Vraag uw IT-beheerder of uw account nog actief is. Gebruikt u nu een ander account, klik dan op "{ $button }" en meld u daarmee aan.
health-account-admin-users = Zoek de gebruiker op: is het account per vergissing uitgeschakeld, schakel het dan weer in ("Account enabled" in de eigenschappen).
health-account-admin-logs = Bij een vergrendeling of een geblokkeerde aanmelding staat de reden in de aanmeldingslog van de mislukte poging.

health-policy-title = Een toegangsbeleid van uw organisatie blokkeert { $product }
health-policy-summary = Een "Conditional Access"-beleid of een toegangsbeleid voor postvakken van uw organisatie liet { $product } niet toe ({ $code }). Zulk beleid kan een compatibel of beheerd apparaat of een vertrouwde locatie vereisen, of een app blokkeren.
health-policy-user = Vraag uw IT-beheerder het toegangsbeleid voor { $product } te controleren. Vraagt uw organisatie u uw apparaat te registreren, doe dat dan en klik opnieuw op "{ $button }".
health-policy-admin = Open de mislukte aanmelding in de aanmeldingslogs: het tabblad "Conditional Access" noemt het beleid. Hoort { $product } toegestaan te zijn, sluit { $app } dan uit van dat beleid of pas het aan; apparaatvoorwaarden kunnen niet vervuld zijn wanneer { $product } de aanmelding vanaf de eigen servers vernieuwt.

health-mailbox-title = { $product } kan geen Microsoft 365-postvak voor dit account bereiken
health-mailbox-summary = Microsoft Graph meldt dat het account geen postvak in Exchange Online heeft ({ $code }): er is geen licentie met Exchange Online toegewezen, het postvak is inactief of voorlopig verwijderd, of het staat op een Exchange-server in het eigen netwerk van de organisatie.
health-mailbox-user = Vraag uw IT-beheerder of uw account een postvak in Exchange Online heeft. Zodra dat zo is, klikt u opnieuw op "{ $button }".
health-mailbox-admin = Wijs de gebruiker een licentie toe waar Exchange Online bij hoort, of verplaats het postvak van de eigen Exchange-server naar Exchange Online. Een nieuw postvak kan enige tijd nodig hebben voordat apps het bereiken.

health-scopes-title = { $product } heeft meer machtigingen nodig
health-scopes-summary = De opgeslagen aanmelding bevat een machtiging niet die { $product } nu nodig heeft ({ $code }).
health-scopes-user = Klik opnieuw op "{ $button }" en accepteer de machtigingen die Microsoft toont. Toont Microsoft "Need admin approval" of "Approval required", volg dan wat die pagina zegt.
health-scopes-admin = Mogen gebruikers deze machtigingen niet zelf accepteren, keur { $app } dan opnieuw voor iedereen goed: open de machtigingen en klik op "Grant admin consent".

health-app-disabled-title = { $product } is uitgeschakeld in uw organisatie
health-app-disabled-summary = Aanmelden bij { $app } is uitgeschakeld in uw organisatie ({ $code }), dus Microsoft laat { $product } niet meer toe.
health-app-disabled-user = Vraag uw IT-beheerder of { $product } gebruikt mag worden. Zodra het weer is ingeschakeld, klikt u op "{ $button }".
health-app-disabled-admin = Om { $product } weer toe te staan: zet in de eigenschappen van { $app } "Enabled for users to sign in?" op "Yes" en klik op "Save". Staat het al aan, neem dan contact op met de ondersteuning van { $product }: mogelijk heeft de uitgever de app uitgeschakeld.

health-not-in-tenant-title = { $product } is niet meer ingesteld in uw organisatie
health-not-in-tenant-summary = Microsoft kon { $app } niet vinden in de directory van uw organisatie ({ $code }): de app is verwijderd of nooit toegevoegd.
health-not-in-tenant-user = Vraag uw IT-beheerder { $product } opnieuw toe te voegen. Klik daarna op "{ $button }".
health-not-in-tenant-admin = Voeg { $app } opnieuw toe door de app goed te keuren: vraag de ondersteuning van { $product } om de link voor beheerderstoestemming, open die aangemeld als beheerder en klik op "Accepteren". Staat { $app } nog onder "Enterprise applications", meld dat dan aan de ondersteuning van { $product } en vermeld { $code }.

health-credentials-title = { $product } kon zich niet bij Microsoft identificeren
health-credentials-summary = Microsoft weigerde de eigen referenties van { $product } ({ $code }): het clientgeheim of certificaat is onjuist of verlopen. Dit is een probleem aan de kant van { $product }; er is niets mis met uw account of met de instellingen van uw organisatie.
health-credentials-user = Neem contact op met de ondersteuning van { $product } en vermeld { $code }. U hoeft niets aan uw account te veranderen.

health-transient-title = Microsoft is even niet bereikbaar voor { $product }
health-transient-summary = Microsoft antwoordde dat de dienst druk of even niet beschikbaar is ({ $code }). Er is niets mis met de koppeling.
health-transient-summary-wait = Microsoft antwoordde dat de dienst druk of even niet beschikbaar is ({ $code }) en vroeg { $seconds ->
        [one] één seconde
       *[other] { $seconds } seconden
    } te wachten voor een nieuwe poging. Er is niets mis met de koppeling.
health-transient-user = U hoeft niets te doen. Blijft dit langer dan een uur gebeuren, neem dan contact op met de ondersteuning van { $product } en vermeld { $code }.

health-unknown-title = { $product } kon de koppeling niet controleren
health-unknown-summary = Microsoft antwoordde met een fout die { $product } niet herkent ({ $code }).
health-unknown-user = Klik opnieuw op "{ $button }". Blijft het mislukken, neem dan contact op met de ondersteuning van { $product } en vermeld { $code }.
