//! graph_status: prints an app's admin-consent state in a real tenant, with next steps for users and
//! admins, read through Microsoft Graph with application permissions.
//!
//! ```text
//! ENTRA_TENANT_ID=contoso.onmicrosoft.com ENTRA_CLIENT_ID=… ENTRA_CLIENT_SECRET=… \
//!   cargo run -p consent-graph --example graph_status -- \
//!   [--app-id GUID] [--scopes "Calendars.ReadWrite User.Read offline_access"]
//! ```
//!
//! `ENTRA_CLIENT_ID`/`ENTRA_CLIENT_SECRET` are the *caller* app (see docs/graph-permissions.md for the
//! permissions it needs: reading only takes Policy.Read.All, ConsentRequest.Read.All,
//! Application.Read.All and Directory.Read.All). `--app-id` is the app whose consent to inspect
//! (default: the caller itself); `--scopes` the delegated Microsoft Graph scopes it requires.
#![allow(clippy::print_stdout, clippy::print_stderr)] // an example program: its output is the point

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    real::run().await
}

mod real {
    use std::error::Error;
    use std::sync::Arc;

    use consent::{observe, AppId, AppRegistration, ScopeSet, TenantId};
    use consent_graph::{ClientCredentials, GraphBackend, Secret};

    type Outcome<T = ()> = Result<T, Box<dyn Error>>;

    const DEFAULT_SCOPES: &str = "Calendars.ReadWrite User.Read offline_access";

    pub async fn run() -> Outcome {
        let args = Args::parse(std::env::args().skip(1))?;
        let tenant = TenantId::parse(&env("ENTRA_TENANT_ID")?)?;
        let caller = AppId::parse(&env("ENTRA_CLIENT_ID")?)?;
        let secret = Secret::new(env("ENTRA_CLIENT_SECRET")?);

        let tokens = ClientCredentials::builder(tenant.clone(), caller, secret).build()?;
        let graph = GraphBackend::builder()
            .tenant(tenant.clone())
            .token_provider(Arc::new(tokens))
            .build()?;

        let app_id = args.app_id.unwrap_or(caller);
        let app = AppRegistration::new(app_id, format!("app {app_id}")).with_delegated(AppId::MICROSOFT_GRAPH, args.scopes);
        let state = observe(&graph, &app).await?;

        println!("Tenant:  {tenant}");
        println!("App:     {app_id}");
        println!("State:   {}", state.name());
        let coverage = state.coverage();
        println!("Granted tenant-wide: {}", coverage.granted);
        println!("Missing:             {}", coverage.missing);
        println!();
        println!(
            "{}",
            state
                .guidance(&consent::guidance::Product::new(&app.display_name), consent::guidance::Locale::En)
                .to_text()
        );
        Ok(())
    }

    /// Command-line options.
    pub struct Args {
        app_id: Option<AppId>,
        scopes: ScopeSet,
    }

    impl Args {
        fn parse(mut args: impl Iterator<Item = String>) -> Outcome<Self> {
            let mut out = Args {
                app_id: None,
                scopes: ScopeSet::parse(DEFAULT_SCOPES)?,
            };
            while let Some(arg) = args.next() {
                let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
                match arg.as_str() {
                    "--app-id" => out.app_id = Some(AppId::parse(&value()?)?),
                    "--scopes" => out.scopes = ScopeSet::parse(&value()?)?,
                    "-h" | "--help" => {
                        eprintln!("usage: graph_status [--app-id GUID] [--scopes \"A B C\"]  (reads ENTRA_TENANT_ID, ENTRA_CLIENT_ID, ENTRA_CLIENT_SECRET)");
                        std::process::exit(0);
                    }
                    other => return Err(format!("unknown argument {other:?}; try --help").into()),
                }
            }
            Ok(out)
        }
    }

    fn env(name: &str) -> Outcome<String> {
        std::env::var(name).map_err(|_| format!("{name} is not set; see docs/graph-permissions.md").into())
    }
}
