//! Drivers: the code a case names. A driver is registered where it is written, with the binding it
//! drives and the type of the parameters it reads ([`crate::driver!`]), so no driver exists
//! unregistered and the suite loader can check every case's parameters before a run.

use crate::counterparts::Counterparts;
use crate::manifest::Manifest;
use dialtone_engine::model::Outcome;
use dialtone_engine::runner::{CaseRun, Harness};
use dialtone_engine::suite::{Case, DriverSpec};
use dialtone_http::{Evidence, HttpClient};
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::oid4vci::message::SECRET_MEMBERS;
use dialtone_protocols::seed::Entropy;
use futures::future::BoxFuture;
use serde::de::DeserializeOwned;
use std::sync::Arc;

pub(crate) type DriverFuture = BoxFuture<'static, Outcome>;

/// A driver, as registered.
pub(crate) struct Driver {
    pub name: &'static str,
    /// The binding it drives (`crate::binding`).
    pub binding: &'static str,
    /// Checks a case's parameters (deserializing them into the driver's parameter type).
    pub validate: fn(&toml::Table) -> Result<(), String>,
    pub run: fn(Ctx) -> DriverFuture,
}

inventory::collect!(Driver);

/// Registers a driver: `driver!("name", binding, function)` for a driver without parameters
/// (`async fn(Ctx) -> Outcome`), `driver!("name", binding, function, Params)` for one whose cases
/// give parameters (`async fn(Ctx, Params) -> Outcome`, `Params: Deserialize`).
#[macro_export]
macro_rules! driver {
    ($name:literal, $binding:expr, $f:path) => {
        inventory::submit! {
            $crate::driver::Driver {
                name: $name,
                binding: $binding,
                validate: $crate::driver::validate::<$crate::driver::NoParams>,
                run: |ctx| Box::pin($f(ctx)),
            }
        }
    };
    ($name:literal, $binding:expr, $f:path, $params:ty) => {
        inventory::submit! {
            $crate::driver::Driver {
                name: $name,
                binding: $binding,
                validate: $crate::driver::validate::<$params>,
                run: |ctx| Box::pin(async move {
                    match ctx.params::<$params>() {
                        Ok(p) => $f(ctx, p).await,
                        Err(o) => o,
                    }
                }),
            }
        }
    };
}

/// A step the case relies on (not the one it judges) broke: the candidate fails, and the case
/// says which step, so that the case judging that step can be named its root.
pub(crate) fn precondition(step: &str, observed: impl Into<String>) -> Outcome {
    Outcome::precondition(step, observed)
}

/// The parameters of a driver that takes none.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoParams {}

/// Whether `params` read as `T`.
pub fn validate<T: DeserializeOwned>(params: &toml::Table) -> Result<(), String> {
    toml::Value::Table(params.clone()).try_into::<T>().map(|_| ()).map_err(|e| e.to_string())
}

/// Every registered driver, by name.
pub(crate) fn all() -> Vec<&'static Driver> {
    let mut drivers: Vec<&'static Driver> = inventory::iter::<Driver>.into_iter().collect();
    drivers.sort_by_key(|d| d.name);
    drivers
}

pub(crate) fn find(name: &str) -> Option<&'static Driver> {
    inventory::iter::<Driver>.into_iter().find(|d| d.name == name)
}

/// The drivers as the suite loader knows them.
pub fn specs() -> Vec<DriverSpec> {
    all().into_iter().map(|d| DriverSpec { name: d.name, binding: d.binding, validate: d.validate }).collect()
}

/// Everything one case's driver has: its case, the candidate, an HTTP client that records into the
/// case's evidence, its own reproducible entropy, and the counterparts the harness runs.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub case: Arc<Case>,
    pub manifest: Arc<Manifest>,
    pub http: HttpClient,
    pub evidence: Evidence,
    pub entropy: Arc<Entropy>,
    pub counterparts: Option<Arc<Counterparts>>,
}

impl Ctx {
    /// The case's parameters as the driver's type (checked at load, so an error here is a defect).
    pub fn params<T: DeserializeOwned>(&self) -> Result<T, Outcome> {
        toml::Value::Table(self.case.params.clone()).try_into::<T>().map_err(|e| {
            Outcome::error(format!("case {}: unreadable params (a suite/harness mismatch): {e}", self.case.id))
        })
    }

    /// Registers the private part of a key the harness made for this case (a holder's), so that
    /// nothing the case keeps shows it, whatever carries it (a deliberately faulty proof does).
    pub fn private_key(&self, key: &EcKey) {
        let jwk = key.private_jwk();
        for (name, value) in jwk.as_object().into_iter().flatten() {
            if SECRET_MEMBERS.in_keys.contains(&name.as_str())
                && let Some(value) = value.as_str()
            {
                self.evidence.secret(name, value);
            }
        }
    }

    /// The counterparts, or an error saying the run started none.
    pub fn counterparts(&self) -> Result<&Counterparts, Outcome> {
        self.counterparts.as_deref().ok_or_else(|| {
            Outcome::error("this case needs the harness's counterpart issuers, which this run did not start")
        })
    }
}

/// The drivers as the engine's [`Harness`]: each case runs the driver it names.
pub struct Drivers {
    pub manifest: Arc<Manifest>,
    pub counterparts: Option<Arc<Counterparts>>,
}

impl Harness for Drivers {
    fn run(&self, run: CaseRun) -> DriverFuture {
        let Some(driver) = find(&run.case.driver) else {
            let name = run.case.driver.clone();
            return Box::pin(
                async move { Outcome::error(format!("no driver named {name:?} (a suite/harness mismatch)")) },
            );
        };
        let ctx = Ctx {
            case: run.case,
            manifest: self.manifest.clone(),
            http: run.http,
            evidence: run.evidence,
            entropy: run.entropy,
            counterparts: self.counterparts.clone(),
        };
        (driver.run)(ctx)
    }
}
