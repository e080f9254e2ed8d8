# entra-consent-uitleg bij het volgen en opnieuw controleren van een goedkeuring, Nederlands.
# Dezelfde argumenten als guidance.ftl ($product, $app, $task, $button); berichten uit
# guidance.ftl (zoals { propagation }) mogen hier worden gebruikt.

## De stille hercontrole van de gebruiker (prompt=none)

recheck-approved-title = { $product } is goedgekeurd
recheck-approved-summary = Uw organisatie heeft { $product } goedgekeurd; Microsoft heeft u aangemeld zonder iets te vragen.
recheck-approved-user = U hoeft niets te doen: alles is klaar om { $task }.
recheck-blocked-title = { $product } wacht nog op goedkeuring
recheck-blocked-summary = Microsoft zou u nog steeds iets vragen voordat u { $product } mag gebruiken ({ $codes }); er heeft dus nog geen beheerder goedgekeurd.
recheck-blocked-user = Wacht op de e-mail van Microsoft dat een beoordelaar heeft besloten en klik dan opnieuw op "{ $button }". Hebt u nog geen aanvraag verstuurd, klik dan op "{ $button }" en gebruik "Request approval".
recheck-blocked-admin = Open de aanvraag voor { $app }, klik op "Review permissions and consent" en daarna op "Accept" (daarvoor is { who-may-approve } nodig).
recheck-not-yet-title = { $product } is goedgekeurd, maar werkt nog niet
recheck-not-yet-summary = Uw beheerder heeft { $product } goedgekeurd, maar de aanmelding van Microsoft weet dat nog niet: wijzigingen kunnen tot een uur nodig hebben. Verwacht het uiterlijk om { $time }.
recheck-not-yet-user = Er is niets mis en u hoeft niet opnieuw te vragen. Klik na { $time } opnieuw op "{ $button }".
recheck-not-yet-admin = U hoeft niets te doen: de goedkeuring van { $app } is vastgelegd en bereikt elke aanmelding. Worden gebruikers een uur na uw goedkeuring nog steeds geweigerd, controleer dan onder "Enterprise applications" → { $app } → "Permissions" of de goedkeuring elke machtiging omvat.
recheck-sign-in-title = Meld u aan om { $product } te controleren
recheck-sign-in-summary = Microsoft kon niet ongemerkt controleren of { $product } is goedgekeurd, omdat u in deze browser niet bent aangemeld met uw werkaccount.
recheck-sign-in-user = Klik op "{ $button }" en meld u aan met uw werkaccount.
