// dialtone's adapter for Credo (@credo-ts 0.6): one Credo agent that is an OpenID4VCI issuer and an
// OpenID4VP verifier, with dialtone's control API beside it (suites/control-api.yaml):
//   POST /control/offers           a credential offer: a fresh pre-authorized code, or the authorization
//                                  code grant ({"grant": "authorization_code"}); {"deferred": true} defers
//   POST /control/authorize        signs the test user in at an authorization URL (follows the redirects)
//   POST /control/requests         an OpenID4VP authorization request (DCQL, x509_san_dns)
//   GET  /control/requests/:id     that request's outcome: pending | accepted | rejected
//   GET  /control/health
// Everything a conformance case exercises goes through Credo's own OpenID4VC endpoints; the adapter
// only starts flows, like the Aries Agent Test Harness's backchannels. Run through start.sh.
//
// Credo's own authorization server (PAR, PKCE S256, DPoP) authenticates the End-User at a "chained"
// authorization server of the deployment's choosing; /login-as is a stand-in for it that signs the
// test user in at once, as an identity provider with a session would.

// First: askar-nodejs registers the native library with askar-shared, a CommonJS module whose named
// exports an ES module snapshots when it first loads it.
import { askar } from '@openwallet-foundation/askar-nodejs'
import { AskarModule } from '@credo-ts/askar'
import { Agent, ClaimFormat, ConsoleLogger, Kms, LogLevel, X509Module, X509Service } from '@credo-ts/core'
import { agentDependencies } from '@credo-ts/node'
import { OpenId4VcModule } from '@credo-ts/openid4vc'
import { Oauth2ServerErrorResponseError } from '@openid4vc/oauth2'
import express from 'express'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith('--') ? [[a.slice(2), all[i + 1]]] : [])),
)
const port = Number(args.port ?? 8700)
const outDir = args.out ?? 'out'
const host = '127.0.0.1'
const base = `http://${host}:${port}`
// x509_san_dns needs a DNS name (OpenID4VP §5.9.3): the verifier is reached as localhost.
const verifierBase = `http://localhost:${port}`
// The origin of the verifier's page, for requests over the Digital Credentials API.
const verifierOrigin = verifierBase
const issuerId = 'dialtone-credo'
const issuerUrl = `${base}/oid4vci/${issuerId}`
const verifierId = 'dialtone-credo-verifier'
// The credential type of dialtone's verified-person profile (suites/profiles/verified-person.toml).
const VCT = 'urn:dialtone:vct:verified-person:1'
const CONFIG_ID = 'VerifiedPerson_dc_sd_jwt'
const YEAR = 365 * 24 * 3600
// The stand-in login server Credo chains to, and the client Credo is there.
const loginAsUrl = `${base}/login-as`
const loginAsClient = { type: 'clientSecret', clientId: 'credo-issuer', clientSecret: 'dialtone-credo-login-as' }
// How long a deferred credential takes (OpenID4VCI §9: the interval the wallet waits).
const DEFERRAL_INTERVAL = 1

// The subject dialtone's reference issues for: syllabics, a combining accent, U+02BC.
const subject = {
  given_name: 'ᓄᓇᕗᑦ E\u0301lodie',
  family_name: 'Kʼómoks-Tremblay',
  birthdate: '1990-07-01',
  email: 'elodie@example.ca',
  address: { locality: 'Iqaluit', region: 'NU', country: 'CA' },
}

const app = express()
let issuerCertificate

const agent = new Agent({
  config: { allowInsecureHttpUrls: true, logger: new ConsoleLogger(LogLevel[args.log ?? 'error']) },
  dependencies: agentDependencies,
  modules: {
    askar: new AskarModule({
      askar,
      store: { id: `dialtone-credo-${port}`, key: 'dialtone-credo', database: { type: 'sqlite', config: { inMemory: true } } },
    }),
    x509: new X509Module({ trustedCertificates: [] }),
    openid4vc: new OpenId4VcModule({
      app,
      issuer: {
        baseUrl: `${base}/oid4vci`,
        credentialRequestToCredentialMapper: async ({ holderBinding, credentialConfigurationId, issuanceSession }) => {
          if (credentialConfigurationId !== CONFIG_ID) {
            // Application code decides what it issues; Credo forwards this error as is.
            throw new Oauth2ServerErrorResponseError({
              error: 'unknown_credential_configuration',
              error_description: `unknown credential configuration ${credentialConfigurationId}`,
            })
          }
          // An offer made with {"deferred": true}: Credo answers 202 with this transaction, and hands
          // the deferred request to the mapper below, with the holder binding it kept.
          if (issuanceSession.issuanceMetadata?.deferred) {
            return { type: 'deferral', transactionId: randomUUID(), interval: DEFERRAL_INTERVAL }
          }
          return signedCredentials(holderBinding)
        },
        deferredCredentialRequestToCredentialMapper: async ({ transaction }) => {
          if (!transaction.holderBinding) {
            throw new Oauth2ServerErrorResponseError({ error: 'invalid_transaction_id' })
          }
          return signedCredentials(transaction.holderBinding)
        },
      },
      verifier: { baseUrl: `${verifierBase}/oid4vp` },
    }),
  },
})

/** The SD-JWT VCs of the verified-person profile, one per bound key (a batch gives several). */
function signedCredentials(holderBinding) {
  const now = Math.floor(Date.now() / 1000)
  return {
    type: 'credentials',
    format: ClaimFormat.SdJwtDc,
    credentials: holderBinding.keys.map((binding) => ({
      payload: { vct: VCT, iat: now, nbf: now, exp: now + YEAR, ...subject },
      holder: binding,
      issuer: { method: 'x5c', x5c: [issuerCertificate], issuer: issuerUrl },
      disclosureFrame: {
        _sd: ['given_name', 'family_name', 'birthdate', 'email', 'address'],
        address: { _sd: ['locality'] },
      },
    })),
  }
}

// The stand-in login server (RFC 8414 metadata, an authorization endpoint that signs the test user in
// at once, a token endpoint for Credo). Mounted before Credo's routes are used; it is not Credo.
const loginCodes = new Map()
app.get(['/.well-known/oauth-authorization-server/login-as', '/login-as/.well-known/oauth-authorization-server'], (_req, res) =>
  res.json({
    issuer: loginAsUrl,
    authorization_endpoint: `${loginAsUrl}/authorize`,
    token_endpoint: `${loginAsUrl}/token`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  }),
)
app.get('/login-as/authorize', (req, res) => {
  const { redirect_uri: redirectUri, state, client_id: clientId } = req.query
  if (clientId !== loginAsClient.clientId || typeof redirectUri !== 'string') {
    return res.status(400).json({ error: 'invalid_request' })
  }
  const code = randomUUID()
  loginCodes.set(code, { redirectUri, expires: Date.now() + 60_000 })
  const to = new URL(redirectUri)
  to.searchParams.set('code', code)
  if (typeof state === 'string') to.searchParams.set('state', state)
  to.searchParams.set('iss', loginAsUrl)
  res.redirect(to.toString())
})
app.post('/login-as/token', express.urlencoded({ extended: false }), (req, res) => {
  const grant = loginCodes.get(req.body?.code)
  loginCodes.delete(req.body?.code)
  if (!grant || grant.expires < Date.now()) return res.status(400).json({ error: 'invalid_grant' })
  res.json({ access_token: randomUUID(), token_type: 'Bearer', expires_in: 300 })
})

await agent.initialize()

/** A P-256 key in Credo's KMS and a self-signed certificate for it naming this host. */
async function keyAndCertificate(commonName, dnsName, sanUrl) {
  const key = await agent.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
  const publicJwk = Kms.PublicJwk.fromPublicJwk(key.publicJwk)
  const names = [{ type: 'dns', value: dnsName }]
  if (sanUrl) names.push({ type: 'url', value: sanUrl })
  return X509Service.createCertificate(agent.context, {
    authorityKey: publicJwk,
    issuer: { commonName, countryName: 'CA' },
    validity: { notBefore: new Date(Date.now() - 3600_000), notAfter: new Date(Date.now() + YEAR * 1000) },
    extensions: { subjectAlternativeName: { name: names } },
  })
}

// Credo signs SD-JWT VCs with an x5c chain or a DID. dialtone's manifest trusts this certificate
// ([issuer] x5c_ca_file), as a jurisdiction's trust list would.
issuerCertificate = await keyAndCertificate('dialtone Credo issuer', host, issuerUrl)
const verifierCertificate = await keyAndCertificate('dialtone Credo verifier', 'localhost')
// The verifier trusts this deployment's own issuer, as one jurisdiction's verifier trusts its issuers,
// and the test authority dialtone's issuers chain to (DIALTONE_TEST_CA_DIR/ca.pem, given by run-all;
// Node also trusts it for https through NODE_EXTRA_CA_CERTS).
agent.x509.config.addTrustedCertificate(issuerCertificate)
// Its holder trusts this deployment's own verifier (request signing), likewise.
agent.x509.config.addTrustedCertificate(verifierCertificate)
const testCa = process.env.DIALTONE_TEST_CA_DIR ? `${process.env.DIALTONE_TEST_CA_DIR}/ca.pem` : undefined
if (testCa && existsSync(testCa)) {
  agent.x509.config.addTrustedCertificate(readFileSync(testCa, 'utf8'))
}
mkdirSync(outDir, { recursive: true })
writeFileSync(`${outDir}/issuer-certificate.pem`, issuerCertificate.toString('pem'))
writeFileSync(`${outDir}/verifier-certificate.pem`, verifierCertificate.toString('pem'))

await agent.modules.openid4vc.issuer.createIssuer({
  issuerId,
  credentialConfigurationsSupported: {
    [CONFIG_ID]: {
      format: 'dc+sd-jwt',
      vct: VCT,
      scope: 'verified_person',
      cryptographic_binding_methods_supported: ['jwk'],
      credential_signing_alg_values_supported: ['ES256'],
      proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256', 'EdDSA'] } },
    },
  },
  // The authorization code flow: Credo's authorization server (PAR required, PKCE S256) signs the
  // End-User in at the stand-in login server; the scope needs nothing more there.
  authorizationServerConfigs: [
    { type: 'chained', issuer: loginAsUrl, clientAuthentication: loginAsClient, scopesMapping: { verified_person: [] } },
  ],
  dpopSigningAlgValuesSupported: ['ES256', 'EdDSA'],
  batchCredentialIssuance: { batchSize: 3 },
  // Signed metadata (OpenID4VCI §12.2.3), by the issuer's own certificate.
  metadataSigner: { method: 'x5c', x5c: [issuerCertificate], issuer: issuerUrl },
})
await agent.modules.openid4vc.verifier.createVerifier({ verifierId })

const control = express.Router()
control.use(express.json())

control.get('/health', (_req, res) => res.json({ status: 'ok', issuer: issuerUrl }))

control.post('/offers', async (req, res) => {
  try {
    const body = req.body ?? {}
    const txCode = body.tx_code ? { input_mode: 'numeric', length: 6 } : undefined
    const grant =
      body.grant === 'authorization_code'
        ? { authorizationCodeFlowConfig: { authorizationServerUrl: loginAsUrl } }
        : { preAuthorizedCodeFlowConfig: txCode ? { txCode } : {} }
    const { credentialOffer, issuanceSession } = await agent.modules.openid4vc.issuer.createCredentialOffer({
      issuerId,
      credentialConfigurationIds: [body.credential_configuration_id ?? CONFIG_ID],
      ...grant,
      issuanceMetadata: body.deferred ? { deferred: true } : undefined,
      version: 'v1',
    })
    res.json({
      credential_offer: issuanceSession.credentialOfferPayload,
      credential_offer_uri: credentialOffer,
      tx_code: issuanceSession.userPin ?? null,
    })
  } catch (e) {
    res.status(400).json({ error: String(e?.message ?? e) })
  }
})

// The test user at the authorization URL, as a signed-in browser: Credo's authorization endpoint sends
// it to the login server, which sends it back to Credo's redirect endpoint, which sends it to the
// client's redirect_uri. Redirects within this deployment are followed (bounded); the first one
// elsewhere is the answer. A non-redirect answer is the authorization server's refusal.
/** Whether a URL is a step of this deployment's authorization (Credo's endpoints, the login server). */
function isOwnAuthorizationStep(url) {
  const target = new URL(url)
  return (
    (target.origin === base || target.origin === `http://localhost:${port}`) &&
    (target.pathname.startsWith('/oid4vci/') || target.pathname.startsWith('/login-as/'))
  )
}

control.post('/authorize', async (req, res) => {
  try {
    let url = req.body?.authorization_url
    if (typeof url !== 'string') return res.status(400).json({ error: 'authorization_url is required' })
    for (let hop = 0; hop < 8; hop++) {
      if (!isOwnAuthorizationStep(url)) return res.json({ redirect: url })
      const answer = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) })
      const location = answer.headers.get('location')
      if (answer.status >= 300 && answer.status < 400 && location) {
        url = new URL(location, url).toString()
        continue
      }
      const text = await answer.text()
      let error
      try {
        error = JSON.parse(text)
      } catch {
        error = { error: 'server_error', error_description: text.slice(0, 300) }
      }
      return res.json({ error: error.error ?? 'server_error', error_description: error.error_description ?? `HTTP ${answer.status}` })
    }
    res.status(500).json({ error: 'too many redirects' })
  } catch (e) {
    res.status(500).json({ error: String(e?.message ?? e) })
  }
})

control.post('/requests', async (req, res) => {
  try {
    const body = req.body ?? {}
    const responseMode = body.response_mode ?? 'direct_post'
    const overDcApi = responseMode === 'dc_api' || responseMode === 'dc_api.jwt'
    const prefix = body.client_id_prefix
    // What dialtone asks for: an x509_hash or x509_san_dns client signs with the adapter's
    // certificate; a redirect_uri client cannot sign (OpenID4VP §5.9.3); over the Digital Credentials
    // API, a request without a prefix is unsigned (Appendix A.3.1), one with a prefix signed (A.3.2).
    const requestSigner =
      prefix === 'redirect_uri' || (overDcApi && !prefix)
        ? { method: 'none' }
        : { method: 'x5c', x5c: [verifierCertificate], clientIdPrefix: prefix === 'x509_hash' ? 'x509_hash' : 'x509_san_dns' }
    const { authorizationRequest, authorizationRequestObject, verificationSession } =
      await agent.modules.openid4vc.verifier.createAuthorizationRequest({
        verifierId,
        requestSigner,
        responseMode,
        version: 'v1',
        // The origin of the verifier's page, for a signed request over the Digital Credentials API.
        expectedOrigins: overDcApi && requestSigner.method !== 'none' ? [verifierOrigin] : undefined,
        // Transaction data objects as dialtone gives them; Credo encodes them (§5.1).
        transactionData: body.transaction_data,
        // The query dialtone asks for (the end-to-end chain names the issuer), else the adapter's own.
        dcql: {
          query: body.dcql_query ?? {
            credentials: [
              {
                id: 'verified_person',
                format: 'dc+sd-jwt',
                meta: { vct_values: [VCT] },
                claims: [{ path: ['given_name'] }, { path: ['family_name'] }, { path: ['birthdate'] }],
              },
            ],
          },
        },
      })
    const answer = { request_id: verificationSession.id, authorization_request: authorizationRequest }
    if (overDcApi) {
      // What the verifier's page would hand navigator.credentials.get (OpenID4VP Appendix A).
      const signed = requestSigner.method !== 'none'
      answer.dc_api = {
        origin: verifierOrigin,
        request: {
          protocol: signed ? 'openid4vp-v1-signed' : 'openid4vp-v1-unsigned',
          data: authorizationRequestObject,
        },
      }
    }
    res.json(answer)
  } catch (e) {
    res.status(400).json({ error: String(e?.message ?? e) })
  }
})

// The response the verifier's page received from the Digital Credentials API, handed to its backend.
control.post('/dc-api/responses/:id', async (req, res) => {
  try {
    await agent.modules.openid4vc.verifier.verifyAuthorizationResponse({
      verificationSessionId: req.params.id,
      authorizationResponse: req.body?.data ?? {},
      origin: req.body?.origin,
    })
    res.json({})
  } catch (e) {
    res.status(400).json({ error: 'invalid_request', error_description: String(e?.message ?? e) })
  }
})

control.get('/requests/:id', async (req, res) => {
  try {
    const session = await agent.modules.openid4vc.verifier.getVerificationSessionById(req.params.id)
    const status =
      session.state === 'ResponseVerified' ? 'accepted' : session.state === 'Error' ? 'rejected' : 'pending'
    // The disclosed claims by credential query id, as dialtone's control API reports them.
    const claims = {}
    if (status === 'accepted') {
      const verified = await agent.modules.openid4vc.verifier.getVerifiedAuthorizationResponse(session.id)
      for (const [queryId, presentations] of Object.entries(verified.dcql?.presentations ?? {})) {
        const first = Array.isArray(presentations) ? presentations[0] : presentations
        claims[queryId] = first?.prettyClaims ?? {}
      }
    }
    res.json({ status, reason: session.errorMessage ?? null, state: session.state, claims })
  } catch (e) {
    res.status(404).json({ error: String(e?.message ?? e) })
  }
})

// The holder (wallet role), under /control/wallet: dialtone's wallet control API.
const wallet = express.Router()
wallet.use(express.json())
const holder = () => agent.modules.openid4vc.holder

wallet.get('/health', (_req, res) => res.json({ status: 'ok' }))

// The wallet's client identifier and redirect_uri for the authorization code flow: the redirect is
// where a mobile wallet's browser would hand the code back; the adapter reads it without loading it.
const walletClientId = 'dialtone-credo-wallet'
const walletRedirectUri = `${base}/wallet-redirect`
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Follows an authorization URL as the signed-in user's browser would, up to the wallet's redirect. */
async function followToRedirect(url) {
  for (let hop = 0; hop < 8; hop++) {
    if (url.startsWith(walletRedirectUri)) return url
    const answer = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) })
    const location = answer.headers.get('location')
    if (!(answer.status >= 300 && answer.status < 400 && location)) {
      throw new Error(`the authorization server answered HTTP ${answer.status}: ${(await answer.text()).slice(0, 300)}`)
    }
    url = new URL(location, url).toString()
  }
  throw new Error('too many redirects at the authorization server')
}

/** The token for an offer: the pre-authorized code, or the authorization code flow (PAR, PKCE). */
async function tokenFor(resolved, txCode) {
  const grants = resolved.credentialOfferPayload.grants ?? {}
  if (grants['urn:ietf:params:oauth:grant-type:pre-authorized_code'] || !grants.authorization_code) {
    return { token: await holder().requestToken({ resolvedCredentialOffer: resolved, txCode: txCode ?? undefined }) }
  }
  // Credo asks by the offered configurations' scopes, and pushes the request (PAR) when the server
  // supports it, with PKCE S256 and DPoP when the server supports it.
  const authorization = await holder().resolveOpenId4VciAuthorizationRequest(resolved, {
    clientId: walletClientId,
    redirectUri: walletRedirectUri,
  })
  if (!authorization.authorizationRequestUrl) throw new Error(`unsupported authorization flow ${authorization.authorizationFlow}`)
  const redirect = await followToRedirect(authorization.authorizationRequestUrl)
  const { authorizationCode } = holder().parseAuthorizationCodeFromAuthorizationResponse({
    authorizationResponseRedirectUrl: redirect,
    resolvedCredentialOffer: resolved,
  })
  const token = await holder().requestToken({
    resolvedCredentialOffer: resolved,
    code: authorizationCode,
    clientId: walletClientId,
    codeVerifier: authorization.codeVerifier,
    redirectUri: walletRedirectUri,
    dpop: authorization.dpop,
  })
  return { token, clientId: walletClientId }
}

wallet.post('/offers', async (req, res) => {
  try {
    const { offer, tx_code: txCode } = req.body ?? {}
    const resolved = await holder().resolveCredentialOffer(offer)
    const { token, clientId } = await tokenFor(resolved, txCode)
    const result = await holder().requestCredentials({
      resolvedCredentialOffer: resolved,
      ...token,
      clientId,
      // One key per credential: a batch as large as the issuer allows (up to three), each its own key.
      credentialBindingResolver: async ({ issuerMaxBatchSize }) => {
        const keys = []
        for (let i = 0; i < Math.max(1, Math.min(issuerMaxBatchSize ?? 1, 3)); i++) {
          const key = await agent.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
          keys.push(Kms.PublicJwk.fromPublicJwk(key.publicJwk))
        }
        return { method: 'jwk', keys }
      },
    })
    const credentials = [...result.credentials]
    let dpop = result.dpop ?? token.dpop
    // Deferred issuance (§9): poll the deferred credential endpoint after each interval, bounded.
    const deadline = Date.now() + 20_000
    let pending = result.deferredCredentials ?? []
    while (pending.length > 0 && Date.now() < deadline) {
      const next = []
      for (const deferred of pending) {
        await sleep(Math.min(Math.max(deferred.interval ?? 5, 0), 10) * 1000)
        try {
          const answer = await holder().requestDeferredCredentials({
            issuerMetadata: resolved.metadata,
            transactionId: deferred.transactionId,
            credentialConfigurationId: deferred.credentialConfigurationId,
            credentialConfiguration: deferred.credentialConfiguration,
            accessToken: token.accessToken,
            dpop,
            jwkThumbprintKmsKeyIdMapping: deferred.jwkThumbprintKmsKeyIdMapping,
          })
          dpop = answer.dpop ?? dpop
          credentials.push(...answer.credentials)
          next.push(...answer.deferredCredentials.map((d) => ({ ...deferred, ...d })))
        } catch (e) {
          if (!String(e?.message ?? e).includes('issuance_pending')) throw e
          next.push(deferred)
        }
      }
      pending = next
    }
    if (pending.length > 0) return res.json({ status: 'failed', reason: 'the deferred credential was not ready in time' })
    for (const credential of credentials) {
      await agent.sdJwtVc.store({ record: credential.record })
    }
    // Notification (§11): credential_accepted for each stored credential the issuer gave an id for.
    for (const credential of credentials) {
      if (!credential.notificationId || !resolved.metadata.credentialIssuer.notification_endpoint) continue
      await holder().sendNotification({
        metadata: resolved.metadata,
        notificationId: credential.notificationId,
        accessToken: token.accessToken,
        notificationEvent: 'credential_accepted',
        dpop,
      })
    }
    res.json({ status: 'stored', count: credentials.length })
  } catch (e) {
    res.json({ status: 'failed', reason: String(e?.message ?? e) })
  }
})

wallet.post('/presentations', async (req, res) => {
  try {
    const resolved = await holder().resolveOpenId4VpAuthorizationRequest(req.body?.authorization_request)
    if (!resolved.dcql) return res.json({ status: 'refused', reason: 'not a DCQL request' })
    const credentials = holder().selectCredentialsForDcqlRequest(resolved.dcql.queryResult)
    const result = await holder().acceptOpenId4VpAuthorizationRequest({
      authorizationRequestPayload: resolved.authorizationRequestPayload,
      dcql: { credentials },
      transactionData: transactionDataFor(resolved),
    })
    res.json({ status: 'sent', verifier_status: result.serverResponse?.status ?? null })
  } catch (e) {
    res.json({ status: 'refused', reason: String(e?.message ?? e) })
  }
})

// Transaction data (OpenID4VP §5.1): each entry signed over by the first credential it names that
// the wallet holds; none when the request carries none.
const transactionDataFor = (resolved) =>
  resolved.transactionData?.map((t) => ({ credentialId: t.matchedCredentialIds[0] ?? t.entry.transactionData.credential_ids[0] }))

// The Digital Credentials API: the request the platform hands the wallet, with the calling origin;
// answered with the data the wallet returns to the platform, or an error (OpenID4VP Appendix A).
wallet.post('/dc-api/requests', async (req, res) => {
  const { origin, request } = req.body ?? {}
  try {
    const resolved = await holder().resolveOpenId4VpAuthorizationRequest(request?.data ?? {}, { origin })
    if (!resolved.dcql) return res.json({ protocol: request?.protocol, data: { error: 'invalid_request' } })
    const credentials = holder().selectCredentialsForDcqlRequest(resolved.dcql.queryResult)
    const result = await holder().acceptOpenId4VpAuthorizationRequest({
      authorizationRequestPayload: resolved.authorizationRequestPayload,
      dcql: { credentials },
      transactionData: transactionDataFor(resolved),
      origin,
    })
    res.json({ protocol: request?.protocol, data: result.authorizationResponse })
  } catch (e) {
    console.error(`dc-api request refused: ${e?.message ?? e}`)
    res.json({ protocol: request?.protocol, data: { error: 'invalid_request' } })
  }
})

wallet.get('/credentials', async (_req, res) => {
  const records = await agent.sdJwtVc.getAll()
  res.json({
    credentials: records.map((r) => ({ format: 'dc+sd-jwt', claims: r.firstCredential.prettyClaims })),
  })
})

app.use('/control/wallet', wallet)
app.use('/control', control)
// Loopback only, IPv4 and IPv6 (localhost may resolve to either).
app.listen(port, host, () => {
  console.log(`credo ready: issuer ${issuerUrl}, verifier ${verifierBase}/oid4vp, control ${base}/control`)
})
app.listen(port, '::1').on('error', () => {})

