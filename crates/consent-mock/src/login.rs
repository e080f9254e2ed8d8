//! The authorize endpoint, simulated in-process: what `login.microsoftonline.com` sends back to the
//! app's redirect URI once a user has signed in (Microsoft Learn: "Microsoft identity platform and OAuth 2.0 authorization code flow"; "Microsoft Entra authentication and authorization error codes"). Examples and tests use it to
//! drive `consent::link` without a browser; the emulator serves the interactive version over HTTP.

use consent::{AppId, Error, ObjectId, Result, Scope, ScopeSet, UserConsentDecision};
use url::Url;

use crate::tenant::MockTenant;

/// The Microsoft Graph resource prefix a scope may carry on the authorize URL.
const GRAPH_PREFIX: &str = "https://graph.microsoft.com/";

/// The parameters of an authorize URL that matter to the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AuthorizeParams {
    client_id: AppId,
    redirect_uri: Url,
    scope: String,
    state: Option<String>,
}

fn single<'a>(url: &'a Url, name: &'static str) -> Result<Option<std::borrow::Cow<'a, str>>> {
    let mut values = url.query_pairs().filter(|(k, _)| k == name).map(|(_, v)| v);
    let first = values.next();
    if values.next().is_some() {
        return Err(Error::invalid("authorize_url", format!("parameter {name} appears more than once")));
    }
    Ok(first)
}

fn required<'a>(url: &'a Url, name: &'static str) -> Result<std::borrow::Cow<'a, str>> {
    single(url, name)?.ok_or_else(|| Error::invalid("authorize_url", format!("parameter {name} is missing (AADSTS900144)")))
}

fn parse(url: &Url) -> Result<AuthorizeParams> {
    if required(url, "response_type")? != "code" {
        return Err(Error::invalid("authorize_url", "response_type must be code"));
    }
    let redirect_uri = Url::parse(&required(url, "redirect_uri")?)
        .map_err(|e| Error::invalid("authorize_url", format!("redirect_uri is not a URL: {e}")))?;
    Ok(AuthorizeParams {
        client_id: AppId::parse(&required(url, "client_id")?)?,
        redirect_uri,
        scope: required(url, "scope")?.into_owned(),
        state: single(url, "state")?.map(|s| s.into_owned()),
    })
}

impl MockTenant {
    /// What Entra's authorize endpoint answers after `user` signs in with `authorize_url`, as the URL
    /// the browser is redirected to:
    ///
    /// - everything already granted → `?code=…&state=…`;
    /// - the user may consent → the simulated user presses Accept on the consent page (a `Principal`
    ///   grant is recorded) → `?code=…`;
    /// - admin approval required → `?error=access_denied&error_description=AADSTS90094: …&error_codes=90094`
    ///   (or 90095 when the "Approval required" form is offered — filing the request itself is
    ///   [`consent::ConsentGraph::submit_consent_request`] as that user);
    /// - blocked app → `error=unauthorized_client` with 7000112; unknown scope → `error=invalid_client`
    ///   with 650053.
    ///
    /// Scopes may carry the `https://graph.microsoft.com/` prefix; `.default` means the app's
    /// registered permissions.
    ///
    /// # Errors
    /// `InvalidInput` for a malformed authorize URL (missing or repeated parameters, not `code`);
    /// `NotFound` for an unknown app (Entra shows AADSTS700016 without redirecting).
    pub fn authorize(&self, user: ObjectId, authorize_url: &Url) -> Result<Url> {
        let p = parse(authorize_url)?;
        let scopes = self.requested_scopes(&p.client_id, &p.scope)?;
        let decision = self.sign_in(user, &p.client_id, &scopes)?;
        if decision == UserConsentDecision::UserMayConsent {
            self.consent_as_user(user, &p.client_id, &scopes)?;
        }
        let mut back = p.redirect_uri.clone();
        {
            let mut q = back.query_pairs_mut();
            match decision.aadsts_code() {
                None => {
                    q.append_pair("code", &format!("mock-code.{}", uuid::Uuid::new_v4().simple()));
                }
                Some(code) => {
                    let (error, text) = describe(code);
                    q.append_pair("error", error);
                    q.append_pair("error_description", &format!("AADSTS{code}: {text}"));
                    q.append_pair("error_codes", &code.to_string());
                }
            }
            if let Some(state) = &p.state {
                q.append_pair("state", state);
            }
        }
        Ok(back)
    }

    /// The scopes an authorize request names, as Microsoft Graph scope values.
    fn requested_scopes(&self, app_id: &AppId, raw: &str) -> Result<ScopeSet> {
        let mut out = ScopeSet::new();
        for s in raw.split_whitespace() {
            let bare = s.strip_prefix(GRAPH_PREFIX).unwrap_or(s);
            if bare == ".default" {
                let registered = self.published_app(app_id).map(|a| a.graph_scopes()).unwrap_or_default();
                out = out.union(&registered)?;
            } else {
                out.insert(Scope::parse(bare)?)?;
            }
        }
        Ok(out)
    }
}

/// The OAuth `error` and the message Entra pairs with each code the decision can produce.
fn describe(code: u32) -> (&'static str, &'static str) {
    match code {
        90094 => ("access_denied", "The grant requires admin permission."),
        90095 => ("access_denied", "Admin consent is required for the permissions requested by this application. An admin consent request may be sent to the admin."),
        7000112 => ("unauthorized_client", "Application is disabled."),
        650053 => ("invalid_client", "The application asked for scope that doesn't exist on the resource."),
        _ => ("server_error", "Unexpected error."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{demo, Preset};

    fn url(tenant: &MockTenant, scope: &str, extra: &str) -> Url {
        Url::parse(&format!(
            "https://login.microsoftonline.com/{}/oauth2/v2.0/authorize?client_id={}&response_type=code&redirect_uri=https%3A%2F%2Fcrm.example%2Fcb&scope={}&state=s1{extra}",
            tenant.tenant_id(),
            demo::carerix_app().app_id,
            scope
        ))
        .unwrap()
    }

    fn param(u: &Url, name: &str) -> Option<String> {
        u.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
    }

    #[test]
    fn blocked_user_gets_90094_then_a_code_after_admin_consent() {
        let tenant = MockTenant::preset(Preset::UserConsentDisabled);
        let scope = "https%3A%2F%2Fgraph.microsoft.com%2FCalendars.ReadWrite+User.Read+offline_access";
        let back = tenant.authorize(demo::EVA_ID, &url(&tenant, scope, "")).unwrap();
        assert_eq!(param(&back, "error_codes").as_deref(), Some("90094"));
        assert_eq!(param(&back, "state").as_deref(), Some("s1"));
        assert!(back.as_str().starts_with("https://crm.example/cb?"));

        tenant
            .grant_admin_consent(demo::ADMIN_ID, &demo::carerix_app().app_id, &demo::carerix_app().delegated_scopes())
            .unwrap();
        let back = tenant.authorize(demo::SAM_ID, &url(&tenant, scope, "")).unwrap();
        assert!(param(&back, "code").is_some(), "{back}");
        assert!(param(&back, "error").is_none());
    }

    #[test]
    fn consentable_user_accepts_and_gets_a_code() {
        let tenant = MockTenant::preset(Preset::AllowUserConsent);
        let back = tenant
            .authorize(demo::EVA_ID, &url(&tenant, "User.Read+offline_access", ""))
            .unwrap();
        assert!(param(&back, "code").is_some(), "{back}");
    }

    #[test]
    fn unknown_scope_and_malformed_urls() {
        let tenant = MockTenant::preset(Preset::AllowUserConsent);
        let back = tenant.authorize(demo::EVA_ID, &url(&tenant, "Calendars.Everything", "")).unwrap();
        assert_eq!(param(&back, "error_codes").as_deref(), Some("650053"));
        assert!(tenant.authorize(demo::EVA_ID, &url(&tenant, "User.Read", "&state=again")).is_err());
        let no_scope = Url::parse("https://login.microsoftonline.com/x/oauth2/v2.0/authorize?response_type=code").unwrap();
        assert!(matches!(tenant.authorize(demo::EVA_ID, &no_scope), Err(Error::InvalidInput { .. })));
    }
}
