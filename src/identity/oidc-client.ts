// The relying party of the unified identity (统一身份认证) over OpenID Connect, with openid-client v6:
// discovery, the authorization code flow with PKCE (S256), state and nonce, and the ID token validated
// by the library (signature against the IdP's JWKS, alg, iss, aud, exp/iat, nonce). This module only talks
// to the IdP; which subject a verified identity becomes is portal-sign-in.ts's decision.
import * as client from 'openid-client';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';

export interface OidcSettings {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  redirectUri: URL;
  scope: string;
  usccClaim: string;
  idNumberClaim: string;
}

/** The settings from configuration, or undefined when the portal sign-in is off (no OIDC_ISSUER). */
export function oidcSettingsFrom(config: Config): OidcSettings | undefined {
  if (!config.OIDC_ISSUER || !config.OIDC_CLIENT_ID || !config.OIDC_CLIENT_SECRET || !config.OIDC_REDIRECT_URI) return undefined;
  return {
    issuer: new URL(config.OIDC_ISSUER),
    clientId: config.OIDC_CLIENT_ID,
    clientSecret: config.OIDC_CLIENT_SECRET,
    redirectUri: new URL(config.OIDC_REDIRECT_URI),
    scope: config.OIDC_SCOPE,
    usccClaim: config.OIDC_USCC_CLAIM,
    idNumberClaim: config.OIDC_ID_NUMBER_CLAIM,
  };
}

/** What one authorization request is bound to; kept server-side between the redirect and the callback. */
interface LoginChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** A verified identity: the IdP's subject and the claims of its validated ID token (and userinfo). */
export interface VerifiedIdentity {
  issuer: string;
  sub: string;
  claims: Record<string, unknown>;
}

export interface OidcClient {
  readonly settings: OidcSettings;
  newLoginChecks(): LoginChecks;
  authorizationUrl(checks: LoginChecks): Promise<URL>;
  /** Exchanges the callback's code and validates the ID token; throws OIDC_SIGN_IN_REFUSED otherwise. */
  verify(callbackUrl: URL, checks: LoginChecks): Promise<VerifiedIdentity>;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A failure to reach the IdP at all, as opposed to the IdP (or the library) refusing what it got. */
function isUnreachable(error: unknown): boolean {
  if (error instanceof TypeError) return true; // fetch: connection refused, DNS, TLS
  const name = (error as { name?: string }).name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** The library's reason, without any token or claim value (its errors can carry the response in `cause`). */
function reasonOf(error: unknown): string {
  if (error instanceof client.AuthorizationResponseError || error instanceof client.ResponseBodyError) {
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`;
  }
  const code = (error as { code?: string }).code;
  // openid-client wraps the check that failed ("JWT signature verification failed", "unexpected JWT
  // "nonce" (nonce) claim value"); its message names the check, never a value.
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${code ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}${cause}`;
}

export function oidcClient(settings: OidcSettings): OidcClient {
  // Plain http only to an IdP on this machine (the demo's, the tests'): anywhere else it would let a
  // network attacker read codes and forge discovery.
  const insecure = settings.issuer.protocol === 'http:';
  if (insecure && !LOOPBACK.has(settings.issuer.hostname)) {
    throw new AppError('CONFIG_INVALID', `OIDC_ISSUER ${settings.issuer.href} uses http on a non-loopback host; use the IdP's https issuer URL.`, { variables: ['OIDC_ISSUER'] });
  }
  let discovered: Promise<client.Configuration> | undefined;
  // Discovery is lazy and retried after a failure, so the service starts while the IdP is down and
  // the portal sign-in works as soon as it answers.
  const configuration = (): Promise<client.Configuration> => {
    discovered ??= client
      .discovery(settings.issuer, settings.clientId, { redirect_uris: [settings.redirectUri.href], response_types: ['code'] }, client.ClientSecretBasic(settings.clientSecret), {
        timeout: 10,
        // OIDC lets a client skip the ID token's signature when it came straight from the token
        // endpoint over TLS, and openid-client does by default: then whoever terminates or sits on
        // that connection could swap the USCC claim (test/portal-oidc.test.ts does). We verify it
        // against the IdP's JWKS always.
        execute: insecure ? [client.allowInsecureRequests, client.enableNonRepudiationChecks] : [client.enableNonRepudiationChecks],
      })
      .catch((error: unknown) => {
        discovered = undefined;
        throw new AppError('OIDC_PROVIDER_UNAVAILABLE', `OIDC discovery at ${settings.issuer.href} failed (${reasonOf(error)}); check OIDC_ISSUER and that the identity provider is reachable.`);
      });
    return discovered;
  };

  return {
    settings,
    newLoginChecks: () => ({ state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier() }),
    async authorizationUrl(checks) {
      const config = await configuration();
      return client.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUri.href,
        scope: settings.scope,
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: 'S256',
        state: checks.state,
        nonce: checks.nonce,
      });
    },
    async verify(callbackUrl, checks) {
      const config = await configuration();
      try {
        const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        });
        const idToken = tokens.claims();
        if (!idToken) throw new AppError('OIDC_SIGN_IN_REFUSED', 'The identity provider returned no ID token; sign in again.');
        const claims: Record<string, unknown> = { ...idToken };
        // Some IdPs release identity claims only at userinfo; the library checks its `sub` is the token's.
        if ((claims[settings.usccClaim] === undefined && claims[settings.idNumberClaim] === undefined) && tokens.access_token) {
          Object.assign(claims, await client.fetchUserInfo(config, tokens.access_token, idToken.sub), { sub: idToken.sub });
        }
        return { issuer: config.serverMetadata().issuer, sub: idToken.sub, claims };
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (isUnreachable(error)) throw new AppError('OIDC_PROVIDER_UNAVAILABLE', `The identity provider at ${settings.issuer.href} did not answer (${reasonOf(error)}); try again later.`);
        throw new AppError('OIDC_SIGN_IN_REFUSED', `The sign-in was not accepted: ${reasonOf(error)}. Start the sign-in again.`, { reason: reasonOf(error) });
      }
    },
  };
}
