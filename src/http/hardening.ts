// HTTP hardening shared by every route: security headers (@fastify/helmet) and per-route rate limits
// (@fastify/rate-limit, opt-in). Documented in docs/security.md ("HTTP hardening").
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/**
 * The limits a route opts into, per client address and route. `signIn`: password, OIDC callback and
 * anything else an attacker would try many times (guessing passwords, replaying codes); `public`:
 * unauthenticated reads (health, public notices) that cost a query each.
 */
const RATE_LIMITS = {
  signIn: { max: 10, timeWindowMs: 60_000 },
  public: { max: 120, timeWindowMs: 60_000 },
} as const;
export type RateLimitKind = keyof typeof RATE_LIMITS;
/** Tests (and a deployment's composition root) may tighten or loosen a kind. */
export type RateLimitOverrides = Partial<Record<RateLimitKind, { max: number; timeWindowMs: number }>>;

/**
 * Route options that opt a route into a rate limit: `scope.post('/api/auth/sign-in', rateLimited('signIn'), handler)`.
 * The route must be declared in a plugin registered after installHardening (src/http/server.ts
 * registers every route plugin after it), or the limiter never sees it.
 */
export function rateLimited(kind: RateLimitKind, overrides?: RateLimitOverrides) {
  const limit = overrides?.[kind] ?? RATE_LIMITS[kind];
  return { config: { rateLimit: { max: limit.max, timeWindow: limit.timeWindowMs, groupId: kind } } };
}

/**
 * A JSON API now and a single-page app from the same origin later: scripts, styles, images, fonts and
 * API calls from our own origin only, no plugins, no framing, no inline script. A JSON response needs
 * none of it, but the header on every response keeps a reflected body from ever running as a page.
 * upgrade-insecure-requests is left out: TLS is terminated in front of the process (which adds HSTS
 * there), and the demo on http://127.0.0.1 would otherwise break its own page.
 */
const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/** Registers helmet (every response) and the rate limiter (global: false, routes opt in). */
export function installHardening(app: FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger>): void {
  app.register(helmet, { contentSecurityPolicy: CONTENT_SECURITY_POLICY, crossOriginEmbedderPolicy: false });
  app.register(rateLimit, {
    global: false,
    // What the limiter throws goes to the catalogue's error handler like any other error: 429 RATE_LIMITED.
    errorResponseBuilder: (request: FastifyRequest, context) =>
      new AppError('RATE_LIMITED', `Too many requests to ${request.routeOptions.url ?? request.url} from this address: at most ${context.max} in a time window; try again in ${context.after}.`, { retryAfter: context.after }),
  });
}
