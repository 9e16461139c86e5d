//! A trust registry under test, queried over the TRQP v2 HTTPS binding.

use super::consumer::{Consumer, Kind, expect_problem, schema_problems};
use crate::manifest::{RegistryQuery, RegistrySection};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::Outcome;
use dialtone_engine::model::flatten;
use serde_json::{Value, json};

driver!("trqp.registry.answer", binding::REGISTRY, answer, Answer);
driver!("trqp.registry.echoes_query", binding::REGISTRY, echoes_query);
driver!("trqp.registry.response_schema", binding::REGISTRY, response_schema);
driver!("trqp.registry.malformed_json", binding::REGISTRY, malformed_json);
driver!("trqp.registry.missing_member", binding::REGISTRY, missing_member);
driver!("trqp.registry.unknown_authority", binding::REGISTRY, unknown_authority);

/// A query of the manifest's `[registry]` fixtures and the answer it must get.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    query: Fixture,
    expect: bool,
}

/// The fixtures a registry's manifest gives (`[registry]`).
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Fixture {
    Authorized,
    Unauthorized,
    OutsideValidity,
    Historical,
    OutsideJurisdiction,
    Recognized,
}

impl Fixture {
    fn pick(self, r: &RegistrySection) -> Option<&RegistryQuery> {
        match self {
            Self::Authorized => Some(&r.authorized),
            Self::Unauthorized => Some(&r.unauthorized),
            Self::OutsideValidity => r.outside_validity.as_ref(),
            Self::Historical => r.historical.as_ref(),
            Self::OutsideJurisdiction => r.outside_jurisdiction.as_ref(),
            Self::Recognized => r.recognized.as_ref(),
        }
    }

    fn kind(self) -> Kind {
        if matches!(self, Self::Recognized) { Kind::Recognition } else { Kind::Authorization }
    }
}

/// Asks the fixture and expects `expect` in the `authorized`/`recognized` member.
async fn answer(ctx: Ctx, Answer { query, expect }: Answer) -> Outcome {
    let consumer = Consumer::new(ctx);
    flatten(
        async {
            let registry = consumer.registry()?;
            let Some(fixture) = query.pick(registry).cloned() else {
                return Ok(Outcome::skip("the manifest gives no such query for this registry"));
            };
            let kind = query.kind();
            let (_, body) = consumer.answer(kind, &fixture).await?;
            let member = kind.answer_member();
            Ok(match body.get(member) {
                Some(Value::Bool(b)) if *b == expect => Outcome::pass(format!("{member}: {b}")),
                other => Outcome::fail(format!("{member}: {expect}"), format!("{member}: {other:?}")),
            })
        }
        .await,
    )
}

/// The answer names the same entity, authority, action and resource as the query, and echoes
/// `context.time` as `time_requested`.
async fn echoes_query(ctx: Ctx) -> Outcome {
    let consumer = Consumer::new(ctx);
    flatten(
        async {
            let mut query = consumer.registry()?.authorized.clone();
            query.time.get_or_insert_with(dialtone_protocols::time::now_rfc3339);
            let (sent, body) = consumer.answer(Kind::Authorization, &query).await?;
            let mut problems = Vec::new();
            for member in ["entity_id", "authority_id", "action", "resource"] {
                if body.get(member) != sent.get(member) {
                    problems.push(format!("{member} {:?} (asked {:?})", body.get(member), sent.get(member)));
                }
            }
            if body.get("time_requested") != sent.get("context").and_then(|c| c.get("time")) {
                problems.push(format!("time_requested {:?} does not echo context.time", body.get("time_requested")));
            }
            Ok(if problems.is_empty() {
                Outcome::pass("the answer names what was asked")
            } else {
                Outcome::fail(
                    "an answer about exactly the entity, authority, action, resource and time asked",
                    problems.join("; "),
                )
            })
        }
        .await,
    )
}

async fn response_schema(ctx: Ctx) -> Outcome {
    let consumer = Consumer::new(ctx);
    flatten(
        async {
            let query = consumer.registry()?.authorized.clone();
            let body = consumer.query_body(&query)?;
            let response = consumer.ask(Kind::Authorization, &body).await?;
            let media = response.media_type();
            let answer = response.json().map_err(|e| Outcome::fail("a JSON body", e))?;
            let mut problems = schema_problems(Kind::Authorization, &answer);
            if media.as_deref() != Some("application/json") {
                problems.push(format!("Content-Type {media:?}"));
            }
            if response.status != 200 {
                problems.push(format!("HTTP {}", response.status));
            }
            Ok(if problems.is_empty() {
                Outcome::pass("HTTP 200, application/json, conforms to the authorization response schema")
            } else {
                Outcome::fail(
                    "HTTP 200 application/json conforming to the TRQP authorization response schema",
                    problems.join("; "),
                )
            })
        }
        .await,
    )
}

async fn malformed_json(ctx: Ctx) -> Outcome {
    let consumer = Consumer::new(ctx);
    flatten(
        async {
            let response = consumer.post_raw(Kind::Authorization, b"{\"entity_id\": ", "application/json").await?;
            Ok(expect_problem(&response, &[400]))
        }
        .await,
    )
}

async fn missing_member(ctx: Ctx) -> Outcome {
    let consumer = Consumer::new(ctx);
    flatten(
        async {
            let mut body = consumer.query_body(&consumer.registry()?.authorized.clone())?;
            body.as_object_mut().map(|b| b.remove("resource"));
            let response = consumer.ask(Kind::Authorization, &body).await?;
            Ok(expect_problem(&response, &[400]))
        }
        .await,
    )
}

async fn unknown_authority(ctx: Ctx) -> Outcome {
    let consumer = Consumer::new(ctx);
    flatten(
        async {
            let mut body = consumer.query_body(&consumer.registry()?.authorized.clone())?;
            body["authority_id"] = json!(format!("urn:dialtone:unknown-authority:{}", consumer.ctx.entropy.token(8)));
            let response = consumer.ask(Kind::Authorization, &body).await?;
            Ok(expect_problem(&response, &[404]))
        }
        .await,
    )
}
