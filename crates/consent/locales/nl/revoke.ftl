# Begeleiding na het intrekken van toestemming voor de hele organisatie (de `revoke`-overgang).
# Geladen als extra bron naast guidance.ftl. De labels van Microsoft blijven Engels, tussen aanhalingstekens.
# Argumenten: $app (de naam van de app onder Enterprise applications), $grants en $roles (aantallen).

revoke-title = De beheerderstoestemming voor { $app } is ingetrokken
revoke-summary = De machtigingen voor de hele organisatie zijn verwijderd ({ $grants } gedelegeerde { $grants ->
        [one] toekenning
       *[other] toekenningen
    }, { $roles } { $roles ->
        [one] app-rol
       *[other] app-rollen
    }). Medewerkers die { $app } nu koppelen, krijgen wat de toestemmingsinstellingen van uw tenant bepalen.
revoke-admin-where = Wilt u opnieuw toestemming geven? Open "Enterprise applications", kies { $app }, dan "Permissions" en "Grant admin consent for" uw organisatie.
revoke-user-next = Heeft u { $app } nog nodig? Begin opnieuw met koppelen; ziet u "Approval required", leg dan uit waarom en klik op "Request approval".
revoke-nothing = { $app } had geen beheerderstoestemming om in te trekken.
