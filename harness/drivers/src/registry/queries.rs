//! A trust registry under test, queried over the TRQP v2 HTTPS binding.

use super::consumer::{Consumer, Kind, expect_problem, schema_problems};
use crate::Ctx;
use crate::manifest::{RegistryQuery, RegistrySection};
use dialtone_engine::model::Outcome;
use dialtone_engine::model::flatten;
use serde_json::{Value, json};

/// Asks the fixture `pick` selects and expects `answer` in the `authorized`/`recognized` member.
async fn expect_answer(
    ctx: Ctx,
    kind: Kind,
    pick: fn(&RegistrySection) -> Option<&RegistryQuery>,
    answer: bool,
) -> Outcome {
    let consumer = Consumer::new(ctx);
    flatten(
        async {
            let registry = consumer.registry()?;
            let Some(query) = pick(registry).cloned() else {
                return Ok(Outcome::skip("the manifest gives no such query for this registry"));
            };
            let (_, body) = consumer.answer(kind, &query).await?;
            let member = kind.answer_member();
            Ok(match body.get(member) {
                Some(Value::Bool(b)) if *b == answer => Outcome::pass(format!("{member}: {b}")),
                other => Outcome::fail(format!("{member}: {answer}"), format!("{member}: {other:?}")),
            })
        }
        .await,
    )
}

pub async fn authorized(ctx: Ctx) -> Outcome {
    expect_answer(ctx, Kind::Authorization, |r| Some(&r.authorized), true).await
}

pub async fn unauthorized(ctx: Ctx) -> Outcome {
    expect_answer(ctx, Kind::Authorization, |r| Some(&r.unauthorized), false).await
}

pub async fn outside_validity(ctx: Ctx) -> Outcome {
    expect_answer(ctx, Kind::Authorization, |r| r.outside_validity.as_ref(), false).await
}

pub async fn historical(ctx: Ctx) -> Outcome {
    expect_answer(ctx, Kind::Authorization, |r| r.historical.as_ref(), true).await
}

pub async fn outside_jurisdiction(ctx: Ctx) -> Outcome {
    expect_answer(ctx, Kind::Authorization, |r| r.outside_jurisdiction.as_ref(), false).await
}

pub async fn recognized(ctx: Ctx) -> Outcome {
    expect_answer(ctx, Kind::Recognition, |r| r.recognized.as_ref(), true).await
}

/// The answer names the same entity, authority, action and resource as the query, and echoes
/// `context.time` as `time_requested`.
pub async fn echoes_query(ctx: Ctx) -> Outcome {
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

pub async fn response_schema(ctx: Ctx) -> Outcome {
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

pub async fn malformed_json(ctx: Ctx) -> Outcome {
    let consumer = Consumer::new(ctx);
    flatten(
        async {
            let response = consumer.post_raw(Kind::Authorization, b"{\"entity_id\": ", "application/json").await?;
            Ok(expect_problem(&response, &[400]))
        }
        .await,
    )
}

pub async fn missing_member(ctx: Ctx) -> Outcome {
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

pub async fn unknown_authority(ctx: Ctx) -> Outcome {
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
