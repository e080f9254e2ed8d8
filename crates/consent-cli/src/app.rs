//! `--app` / `--scopes` / `--app-name`: which client app a command is about.
//!
//! On the mock, the demo app (`consent_mock::demo::CARERIX_APP_ID`) is known: `--scopes` is optional
//! and defaults to its registered scopes. Any other app id needs `--scopes` (Microsoft Graph delegated
//! permissions), and is named by `--app-name` (default: the app id).

use clap::Args;
use consent::{AppId, AppRegistration, ScopeSet};
use consent_mock::demo;

use crate::exit::{CliError, CliResult};

/// Parses an app id for clap (a bad GUID is a usage error).
pub fn parse_app_id(s: &str) -> Result<AppId, String> {
    AppId::parse(s).map_err(|e| e.to_string())
}

/// Parses a space-separated scope list for clap.
pub fn parse_scopes(s: &str) -> Result<ScopeSet, String> {
    let set = ScopeSet::parse(s).map_err(|e| e.to_string())?;
    if set.is_empty() {
        return Err("is empty; list the permissions, e.g. \"Calendars.ReadWrite User.Read offline_access\"".to_owned());
    }
    Ok(set)
}

/// The client app a command is about.
#[derive(Debug, Clone, Args)]
pub struct AppArgs {
    /// The client app's application (client) id.
    #[arg(long, value_name = "APP_ID", value_parser = parse_app_id)]
    pub app: AppId,

    /// Its delegated Microsoft Graph permissions, space-separated (default on the mock for the demo app: its registered scopes).
    #[arg(long, value_name = "SCOPES", value_parser = parse_scopes)]
    pub scopes: Option<ScopeSet>,

    /// The app's display name, for messages and guidance (default: the app id, or the demo app's name).
    #[arg(long, value_name = "NAME")]
    pub app_name: Option<String>,
}

impl AppArgs {
    /// The app registration to work with.
    pub fn registration(&self, on_mock: bool) -> CliResult<AppRegistration> {
        let demo_app = (on_mock && self.app == demo::CARERIX_APP_ID).then(demo::carerix_app);
        let scopes = match (&self.scopes, &demo_app) {
            (Some(s), _) => s.clone(),
            (None, Some(d)) => d.delegated_scopes(),
            (None, None) => {
                return Err(CliError::Usage(format!(
                    "--scopes is required for app {}: list the Microsoft Graph permissions it asks for, e.g. --scopes \"Calendars.ReadWrite User.Read offline_access\"",
                    self.app
                )))
            }
        };
        let name = self
            .app_name
            .clone()
            .or_else(|| demo_app.map(|d| d.display_name))
            .unwrap_or_else(|| self.app.to_string());
        Ok(AppRegistration::new(self.app, name).with_delegated(AppId::MICROSOFT_GRAPH, scopes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(app: AppId, scopes: Option<&str>) -> AppArgs {
        AppArgs {
            app,
            scopes: scopes.map(|s| ScopeSet::parse(s).unwrap()),
            app_name: None,
        }
    }

    #[test]
    fn demo_app_defaults_on_the_mock_only() {
        let r = args(demo::CARERIX_APP_ID, None).registration(true).unwrap();
        assert_eq!(r, demo::carerix_app());
        assert!(matches!(
            args(demo::CARERIX_APP_ID, None).registration(false),
            Err(CliError::Usage(_))
        ));
    }

    #[test]
    fn explicit_scopes_replace_the_demo_scopes() {
        let r = args(demo::CARERIX_APP_ID, Some("User.Read")).registration(true).unwrap();
        assert_eq!(r.delegated_scopes().to_wire(), "User.Read");
        assert_eq!(r.display_name, demo::carerix_app().display_name);
    }

    #[test]
    fn other_apps_need_scopes_and_are_named_by_id() {
        let id = AppId::parse("11111111-2222-4333-8444-555555555555").unwrap();
        let err = args(id, None).registration(true).unwrap_err();
        assert!(err.to_string().contains("--scopes is required"), "{err}");
        let r = args(id, Some("Mail.Read")).registration(true).unwrap();
        assert_eq!(r.display_name, id.to_string());
    }

    #[test]
    fn scope_parser_refuses_empty_and_bad_values() {
        assert!(parse_scopes("").is_err());
        assert!(parse_scopes("Calendars.Read \"x\"").is_err());
        assert_eq!(parse_scopes("User.Read  offline_access").unwrap().len(), 2);
    }
}
