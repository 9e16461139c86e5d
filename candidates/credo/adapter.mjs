// dialtone's adapter for Credo (@credo-ts 0.6): one Credo agent that is an OpenID4VCI issuer and an
// OpenID4VP verifier, with dialtone's control API beside it (suites/control-api.yaml):
//   POST /control/offers           a credential offer for a fresh pre-authorized code
//   POST /control/requests         an OpenID4VP authorization request (DCQL, x509_san_dns)
//   GET  /control/requests/:id     that request's outcome: pending | accepted | rejected
//   GET  /control/health
// Everything a conformance case exercises goes through Credo's own OpenID4VC endpoints; the adapter
// only starts flows, like the Aries Agent Test Harness's backchannels. Run through start.sh.

// First: askar-nodejs registers the native library with askar-shared, a CommonJS module whose named
// exports an ES module snapshots when it first loads it.
import { askar } from '@openwallet-foundation/askar-nodejs'
import { AskarModule } from '@credo-ts/askar'
import { Agent, ClaimFormat, ConsoleLogger, Kms, LogLevel, X509Module, X509Service } from '@credo-ts/core'
import { agentDependencies } from '@credo-ts/node'
import { OpenId4VcModule } from '@credo-ts/openid4vc'
import { Oauth2ServerErrorResponseError } from '@openid4vc/oauth2'
import express from 'express'
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
const issuerId = 'dialtone-credo'
const issuerUrl = `${base}/oid4vci/${issuerId}`
const verifierId = 'dialtone-credo-verifier'
// The credential type of dialtone's verified-person profile (suites/profiles/verified-person.toml).
const VCT = 'urn:dialtone:vct:verified-person:1'
const CONFIG_ID = 'VerifiedPerson_dc_sd_jwt'
const YEAR = 365 * 24 * 3600

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
        credentialRequestToCredentialMapper: async ({ holderBinding, credentialConfigurationId }) => {
          if (credentialConfigurationId !== CONFIG_ID) {
            // Application code decides what it issues; Credo forwards this error as is.
            throw new Oauth2ServerErrorResponseError({
              error: 'unknown_credential_configuration',
              error_description: `unknown credential configuration ${credentialConfigurationId}`,
            })
          }
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
        },
      },
      verifier: { baseUrl: `${verifierBase}/oid4vp` },
    }),
  },
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
})
await agent.modules.openid4vc.verifier.createVerifier({ verifierId })

const control = express.Router()
control.use(express.json())

control.get('/health', (_req, res) => res.json({ status: 'ok', issuer: issuerUrl }))

control.post('/offers', async (req, res) => {
  try {
    const body = req.body ?? {}
    const txCode = body.tx_code ? { input_mode: 'numeric', length: 6 } : undefined
    const { credentialOffer, issuanceSession } = await agent.modules.openid4vc.issuer.createCredentialOffer({
      issuerId,
      credentialConfigurationIds: [body.credential_configuration_id ?? CONFIG_ID],
      preAuthorizedCodeFlowConfig: txCode ? { txCode } : {},
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

control.post('/requests', async (req, res) => {
  try {
    const body = req.body ?? {}
    const { authorizationRequest, verificationSession } =
      await agent.modules.openid4vc.verifier.createAuthorizationRequest({
        verifierId,
        requestSigner: { method: 'x5c', x5c: [verifierCertificate], clientIdPrefix: 'x509_san_dns' },
        responseMode: body.response_mode ?? 'direct_post',
        version: 'v1',
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
    res.json({ request_id: verificationSession.id, authorization_request: authorizationRequest })
  } catch (e) {
    res.status(400).json({ error: String(e?.message ?? e) })
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

wallet.post('/offers', async (req, res) => {
  try {
    const { offer, tx_code: txCode } = req.body ?? {}
    const resolved = await holder().resolveCredentialOffer(offer)
    const token = await holder().requestToken({ resolvedCredentialOffer: resolved, txCode: txCode ?? undefined })
    const { credentials } = await holder().requestCredentials({
      resolvedCredentialOffer: resolved,
      ...token,
      credentialBindingResolver: async () => {
        const key = await agent.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
        return { method: 'jwk', keys: [Kms.PublicJwk.fromPublicJwk(key.publicJwk)] }
      },
    })
    for (const credential of credentials) {
      await agent.sdJwtVc.store({ record: credential.record })
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
    })
    res.json({ status: 'sent', verifier_status: result.serverResponse?.status ?? null })
  } catch (e) {
    res.json({ status: 'refused', reason: String(e?.message ?? e) })
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

