"""dialtone's adapter for ACA-Py: the W3C VC-API binding dialtone drives, mapped onto ACA-Py's admin
routes (like the Aries Agent Test Harness's backchannels):

    POST /vc-api/credentials/issue   -> POST {admin}/vc/credentials/issue
    POST /vc-api/credentials/verify  -> POST {admin}/vc/credentials/verify
    GET  /health

At start it creates the issuer's did:key from a fixed seed (a test deployment; ACA-Py runs with
--wallet-allow-insecure-seed), so the manifest can name it. Requests and answers pass through
unchanged: status codes and bodies are ACA-Py's own.
"""

import argparse
import asyncio
import json

from aiohttp import ClientSession, ClientTimeout, web

SEED = "dialtone-acapy-issuer-seed-00001"


async def wait_for_acapy(session, admin):
    for _ in range(120):
        try:
            async with session.get(f"{admin}/status/live") as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        await asyncio.sleep(0.5)
    raise SystemExit("acapy: the admin API did not come up")


async def forward(request, session, url):
    body = await request.read()
    async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as r:
        return web.Response(status=r.status, body=await r.read(), content_type="application/json")


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8710)
    parser.add_argument("--admin", default="http://127.0.0.1:8031")
    args = parser.parse_args()
    session = ClientSession(timeout=ClientTimeout(total=30))
    await wait_for_acapy(session, args.admin)
    did_request = {"method": "key", "options": {"key_type": "ed25519"}, "seed": SEED}
    async with session.post(f"{args.admin}/wallet/did/create", json=did_request) as r:
        did = (await r.json())["result"]["did"]
    async with session.get(f"{args.admin}/status") as r:
        version = (await r.json()).get("version")

    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_post("/vc-api/credentials/issue", lambda req: forward(req, session, f"{args.admin}/vc/credentials/issue"))
    app.router.add_post("/vc-api/credentials/verify", lambda req: forward(req, session, f"{args.admin}/vc/credentials/verify"))
    app.router.add_get("/health", lambda req: web.json_response({"status": "ok", "issuer_id": did, "acapy": version}))
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", args.port).start()
    print(json.dumps({"ready": True, "issuer_id": did, "acapy": version}), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
