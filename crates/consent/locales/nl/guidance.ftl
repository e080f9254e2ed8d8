# entra-consent guidance, Nederlands.
#
# Dezelfde berichten en argumenten als en/guidance.ftl. $task is een beknopte bijzin die
# "U hebt dit nodig om …" afmaakt (bijvoorbeeld "uw Microsoft 365-agenda te koppelen").
# Microsoft documenteert de Nederlandse labels van het Entra-beheercentrum en de aanmeldpagina's
# niet (alleen oude machinevertalingen); die labels staan daarom in het Engels tussen
# aanhalingstekens, met een Nederlandse uitleg. "Accepteren" en "Machtigingen aangevraagd" staan wel
# op de huidige Nederlandse Learn-pagina's.

## Neutrale standaardwaarden van het product

product-default-task = { $product } te gebruiken
product-default-button = Opnieuw aanmelden

## Weergave

heading-user = Wat u (de gebruiker) doet
heading-admin = Wat uw beheerder doet
label-where = Waar
label-admin-consent-link = Link voor beheerderstoestemming voor { $app }

## Gedeelde onderdelen

path-admin-consent-settings = Microsoft Entra-beheercentrum → "Identity" → "Applications" → "Enterprise applications" → "Consent and permissions" → "Admin consent settings"
path-admin-consent-requests = Microsoft Entra-beheercentrum → "Identity" → "Applications" → "Enterprise applications" → "Admin consent requests"
path-app-properties = Microsoft Entra-beheercentrum → "Identity" → "Applications" → "Enterprise applications" → { $app } → "Properties"
who-may-approve = een beheerder met de rol "Global Administrator", "Privileged Role Administrator", "Cloud Application Administrator" of "Application Administrator" (voor applicatiemachtigingen van Microsoft Graph is "Global Administrator" of "Privileged Role Administrator" nodig)
propagation = Het kan tot een uur duren voordat een wijziging bij elke aanmelding doorwerkt; vraagt Microsoft nog steeds om goedkeuring, wacht dan even en probeer het opnieuw.
error-named = fout "{ $error }"

## Waarom gebruikers geen toestemming mogen geven ("… omdat { $reasons }")

reason-user-consent-disabled = de tenant gebruikers geen toestemming laat geven voor apps ("Do not allow user consent")
reason-admin-only-scope = { $scope } altijd een beheerder vereist
reason-microsoft-managed = het door Microsoft beheerde toestemmingsbeleid gebruikers niet meer toestaat om { $scope } aan apps van derden te verlenen
reason-unverified-publisher = gebruikers alleen toestemming mogen geven voor apps van geverifieerde uitgevers
reason-not-low-impact = { $scope } niet als machtiging met lage impact is geclassificeerd
reason-assignment-required = de app vereist dat gebruikers eraan zijn toegewezen
reason-custom-policy = er een aangepast beleid voor app-toestemming geldt
reason-application-permission = de applicatiemachtiging { $scope } altijd een beheerder vereist

## De toestand van de tenant (ConsentState)

state-review-step = Open de aanvraag voor "{ $app }", kies "Review permissions and consent" (machtigingen controleren en toestemming geven), controleer de machtigingen en klik op "Accepteren". Daarmee geeft u toestemming voor de hele organisatie.
state-user-consent-allowed-title = Gebruikers kunnen { $app } zelf goedkeuren
state-user-consent-allowed-summary = Met de instelling "{ $setting }" van deze tenant mogen gebruikers zelf toestemming geven voor de machtigingen die { $app } vraagt. Er is geen beheerder nodig.
state-user-consent-allowed-user = Klik op "{ $button }", meld u aan, controleer de machtigingen en klik op "Accepteren".
state-requests-disabled-title = Een beheerder moet toestemmingsaanvragen inschakelen of { $app } goedkeuren
state-requests-disabled-summary = Gebruikers zien de pagina "Need admin approval" (AADSTS90094: goedkeuring door een beheerder nodig) en kunnen geen toegang aanvragen, omdat { $reasons }. Toestemmingsaanvragen zijn in deze tenant uitgeschakeld.
state-requests-disabled-user = Stuur deze pagina naar uw IT-beheerder en vraag of die { $app } voor de organisatie goedkeurt, of gebruikers toestaat om goedkeuring aan te vragen.
state-requests-disabled-admin-enable = Zet "Users can request admin consent to apps they are unable to consent to" aan (gebruikers mogen dan beheerderstoestemming aanvragen), kies de beoordelaars (gebruikers, een groep of een rol) en klik op "Save" (opslaan).
state-requests-disabled-admin-grant = Of keur { $app } meteen voor iedereen goed met de link voor beheerderstoestemming, aangemeld als "Cloud Application Administrator" of met een hogere rol.
state-requests-enabled-title = Vraag goedkeuring aan voor { $app }
state-requests-enabled-summary = Gebruikers kunnen niet zelf toestemming geven omdat { $reasons }, maar ze kunnen het wel vragen: Microsoft toont dan "Approval required" (AADSTS90095: goedkeuring vereist). Aanvragen gaan naar de aangewezen beoordelaars en verlopen na { $days ->
        [one] één dag
       *[other] { $days } dagen
    }.
state-requests-enabled-user-start = Klik nogmaals op "{ $button }". Toont Microsoft "Approval required", schrijf dan op waarom u { $product } nodig hebt (bijvoorbeeld dat u het nodig hebt om { $task }).
state-requests-enabled-user-send = Klik op "Request approval" (goedkeuring aanvragen). U krijgt een e-mail zodra een beoordelaar heeft besloten; klik daarna opnieuw op "{ $button }".
state-requests-enabled-admin = Beoordelaars: let op de e-mail met de aanvraag en ga dan naar de toestemmingsaanvragen. { state-review-step }
state-pending-title = Een aanvraag om { $app } goed te keuren wacht op beoordeling
state-pending-summary = { $count ->
        [one] Eén gebruiker heeft
       *[other] { $count } gebruikers hebben
    } { $scopes } aangevraagd.
state-pending-summary-named = { $count ->
        [one] Eén gebruiker ({ $names }) heeft
       *[other] { $count } gebruikers ({ $names }) hebben
    } { $scopes } aangevraagd.
state-pending-expires = De aanvraag verloopt op { $date }.
state-pending-user = Uw aanvraag is verstuurd. U krijgt een e-mail zodra een beoordelaar heeft besloten; u hoeft het niet opnieuw te vragen.
state-pending-admin-review = { state-review-step }
state-pending-admin-roles = Voor het goedkeuren van applicatiemachtigingen van Microsoft Graph is de rol "Privileged Role Administrator" of "Global Administrator" nodig; een "Cloud Application Administrator" kan gedelegeerde machtigingen goedkeuren.
state-approved-title = { $app } is goedgekeurd voor de hele organisatie
state-approved-summary = De toestemming voor de hele tenant omvat { $scopes }. Medewerkers hebben geen beheerder meer nodig om { $task }. Het kan enkele minuten (tot een uur) duren voordat dit bij het aanmelden doorwerkt.
state-approved-user = Klik opnieuw op "{ $button }" en meld u aan. Ziet u nog steeds "Approval required", wacht dan enkele minuten en probeer het opnieuw.
state-closed-request-again = U kunt het opnieuw vragen: klik op "{ $button }", leg uit waarom u { $product } nodig hebt en klik op "Request approval".
state-closed-requests-off-user = Toestemmingsaanvragen zijn nu uitgeschakeld; vraag het rechtstreeks aan uw IT-beheerder.
state-closed-requests-off-admin = Zet "Users can request admin consent to apps they are unable to consent to" aan, zodat gebruikers het opnieuw kunnen vragen.
state-denied-title = De aanvraag voor { $app } is afgewezen
state-denied-summary = Een beoordelaar heeft de aanvraag afgewezen.
state-denied-summary-reason = Een beoordelaar heeft de aanvraag afgewezen en schreef: "{ $reason }".
state-denied-admin = Wilt u het toch toestaan, keur het dan goed met de link voor beheerderstoestemming of vanuit een nieuwe aanvraag. { state-review-step }
state-expired-title = De aanvraag voor { $app } is verlopen
state-expired-summary = Niemand heeft de aanvraag beoordeeld voordat die verliep.
state-expired-admin = Controleer of de beoordelaars de e-mails met aanvragen ontvangen (beheerdersaccounts hebben vaak geen mailbox) en beoordeel nieuwe aanvragen op tijd.
state-blocked-title = { $app } is geblokkeerd in deze organisatie
state-blocked-summary = Een beoordelaar heeft de app geblokkeerd: de bedrijfstoepassing is uitgeschakeld en nieuwe aanvragen worden geweigerd.
state-blocked-user = Het is voorlopig niet mogelijk om { $task }. Neem contact op met uw IT-beheerder.
state-blocked-admin = Open de bedrijfstoepassing, zet "Enabled for users to sign in?" op "Yes" (aanmelden toegestaan) en geef daarna toestemming.

## Het antwoord op de aanmelding van de gebruiker (LinkOutcome)

link-authorized-title = { $product } is gekoppeld
link-authorized-summary = Microsoft heeft u aangemeld en toegang verleend. Er is verder niets nodig.
link-authorized-user = U hoeft niets te doen.
link-workflow-off-title = Uw beheerder moet { $product } goedkeuren
link-workflow-off-summary = Microsoft toonde "Need admin approval" (goedkeuring door een beheerder nodig): uw organisatie laat gebruikers niet zelf toestemming geven voor de machtigingen van { $product }, en aanvragen om goedkeuring staan uit ({ $codes }).
link-workflow-off-user-ask = Vraag uw IT-beheerder om { $product } goed te keuren: zeg dat u het nodig hebt om { $task }, en stuur de link voor beheerderstoestemming mee als die wordt getoond.
link-workflow-off-user-retry = Klik opnieuw op "{ $button }" zodra uw beheerder het heeft goedgekeurd. { propagation }
link-grant-with-link = Om { $product } nu voor iedereen goed te keuren: open de link voor beheerderstoestemming hieronder, meld u aan als { who-may-approve }, controleer de machtigingen en klik op "Accepteren".
link-grant-without-link = Om { $product } nu voor iedereen goed te keuren: open "Enterprise applications" → { $app } → "Permissions" en klik op "Grant admin consent" (daarvoor is { who-may-approve } nodig).
link-workflow-off-admin-enable = Zet "Users can request admin consent to apps they are unable to consent to" aan, kies de beoordelaars en klik op "Save", zodat gebruikers het u de volgende keer kunnen vragen in plaats van geblokkeerd te worden.
link-workflow-on-title = Vraag uw beheerder om { $product } goed te keuren
link-workflow-on-summary = Gebruikers mogen niet zelf toestemming geven voor de machtigingen van { $product }, maar uw organisatie accepteert aanvragen om goedkeuring ({ $codes }).
link-workflow-on-user-request = Hebt u nog geen aanvraag verstuurd? Klik opnieuw op "{ $button }", schrijf op de pagina "Approval required" van Microsoft waarom u { $product } nodig hebt (bijvoorbeeld dat u het nodig hebt om { $task }) en klik op "Request approval".
link-workflow-on-user-wait = Microsoft stuurt u een e-mail zodra een beoordelaar heeft besloten. Klik dan opnieuw op "{ $button }". { propagation }
link-workflow-on-admin = Open de aanvraag voor { $app }, klik op "Review permissions and consent", controleer de machtigingen en klik op "Accepteren" (daarvoor is { who-may-approve } nodig).
link-consent-required-title = { $product } heeft uw toestemming nodig
link-consent-required-summary = Er is nog geen toestemming voor { $product } ({ $codes }); de aanmelding liep zonder de toestemmingspagina van Microsoft te tonen.
link-consent-required-user = Klik opnieuw op "{ $button }" en accepteer de machtigingen van { $product } wanneer Microsoft erom vraagt.
link-consent-required-admin = Blijven gebruikers dit zien nadat u { $app } hebt goedgekeurd, controleer dan onder "Enterprise applications" → { $app } → "Permissions" of de goedkeuring elke gevraagde machtiging omvat. { propagation }
link-cancelled-title = De aanmelding is geannuleerd
link-cancelled-summary = De toestemmingspagina is gesloten of geweigerd ({ $codes }), dus er is niets gewijzigd.
link-cancelled-user = Om { $task }, klikt u opnieuw op "{ $button }" en accepteert u de machtigingen van { $product } wanneer Microsoft erom vraagt.
link-not-in-tenant-title = { $product } is niet ingesteld in uw organisatie
link-not-in-tenant-summary = Microsoft kon { $product } niet vinden in de directory van uw organisatie ({ $codes }).
link-not-in-tenant-user = Stuur de link voor beheerderstoestemming naar uw IT-beheerder en vraag of die { $product } toevoegt. Klik daarna opnieuw op "{ $button }".
link-not-in-tenant-admin-with-link = Open de link voor beheerderstoestemming hieronder en meld u aan met een beheerdersaccount van uw organisatie ({ who-may-approve }); met "Accepteren" voegt u { $app } toe aan "Enterprise applications" en verleent u de machtigingen voor iedereen.
link-not-in-tenant-admin-without-link = Een beheerder moet { $app } aan uw organisatie toevoegen: vraag de ondersteuning van { $product } om de link voor beheerderstoestemming, open die aangemeld als { who-may-approve } en klik op "Accepteren".
link-risky-title = Microsoft vereist dat een beheerder { $product } goedkeurt
link-risky-summary = De risicogebaseerde toestemmingscontrole van Microsoft vond deze aanvraag riskant ({ $codes }), meestal omdat de uitgever van de app niet geverifieerd is en de app meer dan basismachtigingen vraagt. Alleen een beheerder kan de app goedkeuren.
link-risky-user-request = Schrijf op de pagina "Approval required" van Microsoft waarom u { $product } nodig hebt en klik op "Request approval"; klik opnieuw op "{ $button }" zodra de aanvraag is goedgekeurd.
link-risky-admin-review = Beoordeel de aanvraag voor { $app } (uitgever, machtigingen) en klik, als u de app vertrouwt, op "Review permissions and consent" en daarna op "Accepteren".
link-risky-user-ask = Vraag uw IT-beheerder om { $product } te beoordelen en goed te keuren; stuur de link voor beheerderstoestemming mee als die wordt getoond.
link-risky-admin-check-with-link = Controleer eerst de uitgever en de machtigingen van { $app }. { link-grant-with-link }
link-risky-admin-check-without-link = Controleer eerst de uitgever en de machtigingen van { $app }. { link-grant-without-link }
link-misconfigured-title = { $product } kon de aanmelding niet starten
link-misconfigured-summary = Dit is een probleem aan de kant van { $product }, niet bij u of uw beheerder: { $what } ({ $codes }).
misconfig-redirect-uri = het adres waarnaar Microsoft moet terugkeren is niet bij de app geregistreerd
misconfig-unknown-scope = de app vraagt een machtiging of API die niet bestaat of niet in de registratie van de app staat
misconfig-invalid-scope = de app vraagt een ongeldig geschreven machtiging
link-misconfigured-user = Neem contact op met de ondersteuning van { $product } en vermeld { $codes } en het tijdstip van de poging. In de instellingen van uw organisatie valt hier niets aan te verhelpen.
link-state-mismatch-title = Deze aanmeldpoging kon niet worden gecontroleerd
link-state-mismatch-summary = Het antwoord van Microsoft is voor uw veiligheid genegeerd, omdat { $why }.
state-problem-missing = het geen kenmerk van de poging bevatte
state-problem-different = het bij een andere aanmeldpoging hoort: een oud tabblad, een tweede poging of een link die iemand u stuurde
link-state-mismatch-user = Sluit andere tabbladen van { $product } en klik in dit tabblad opnieuw op "{ $button }".
link-expired-title = De aanmeldpoging is verlopen
link-expired-summary = Het aanmelden duurde langer dan { $minutes ->
        [one] één minuut
       *[other] { $minutes } minuten
    }, dus het antwoord is niet gebruikt.
link-expired-user = Klik opnieuw op "{ $button }" en rond het aanmelden bij { $product } zonder lange pauze af.
link-other-title = Microsoft kon de aanmelding bij { $product } niet voltooien
link-other-summary = Microsoft meldde { $codes }.
link-other-user = Klik opnieuw op "{ $button }". Blijft het mislukken, neem dan contact op met de ondersteuning van { $product } en vermeld { $codes }.

## Het antwoord op de beheerderstoestemming (AdminConsentOutcome)

admin-granted-title = { $product } is goedgekeurd voor uw organisatie
admin-granted-summary = Een beheerder heeft de machtigingen van { $product } voor de hele organisatie verleend (tenant { $tenant }).
admin-granted-summary-unconfirmed = Een beheerder heeft de machtigingen van { $product } voor de hele organisatie verleend (tenant { $tenant }). De tenant-id kwam uit de browser en is nog niet bevestigd.
admin-granted-user = Iedereen kan nu op "{ $button }" klikken. { propagation }
admin-granted-admin = Er hoeft niets meer te gebeuren. De verleende machtigingen staan onder "Enterprise applications" → { $app } → "Permissions".
admin-declined-title = { $product } is niet goedgekeurd
admin-declined-summary = De toestemmingspagina is geannuleerd of geweigerd ({ $codes }), dus er is niets verleend.
admin-declined-admin = Was dat niet de bedoeling, open dan de link voor beheerderstoestemming opnieuw, meld u aan als { who-may-approve } en klik op "Accepteren".
admin-declined-user = Zolang een beheerder { $product } niet goedkeurt, is het niet mogelijk om { $task }.
admin-state-mismatch-title = Dit antwoord op de goedkeuring kon niet worden gecontroleerd
admin-state-mismatch-summary = Het antwoord paste bij geen enkele link voor beheerderstoestemming van { $product } en is daarom genegeerd.
admin-state-mismatch-admin = Open de nieuwste link voor beheerderstoestemming van { $product } (oudere links werken niet meer zodra ze zijn vervangen) en keur opnieuw goed.
admin-tenant-mismatch-title = De goedkeuring kwam van een andere organisatie
admin-tenant-mismatch-summary = De link was gemaakt voor { $expected }, maar het antwoord noemde { $returned }; het is genegeerd, omdat zo'n antwoord vervalst kan zijn.
admin-tenant-none = geen organisatie
admin-tenant-mismatch-admin = Meld u af en open de link voor beheerderstoestemming voor { $product } opnieuw, aangemeld met een beheerdersaccount van { $expected }.
admin-other-title = Microsoft kon { $product } niet goedkeuren
admin-other-summary = Microsoft meldde { $codes }.
admin-other-admin = Controleer of u bent aangemeld als { who-may-approve } en open de link voor beheerderstoestemming opnieuw; blijft het mislukken, neem dan contact op met de ondersteuning van { $product } en vermeld { $codes }.
