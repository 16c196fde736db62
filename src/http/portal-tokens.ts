// Session tokens for the portal (an enterprise or a citizen) and for staff. A token names its role and
// one subject or user and is signed with HMAC-SHA256, so a holder can act only as what it names.
// (Real deployments put this behind the government's unified identity login; the token is what that
// login hands this service.)
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenRole = 'portal' | 'staff';

function sign(secret: string, role: TokenRole, who: string): string {
  return createHmac('sha256', secret).update(`${role}:${who}`).digest('base64url');
}

export function issueToken(secret: string, role: TokenRole, who: string): string {
  return `${Buffer.from(who, 'utf8').toString('base64url')}.${sign(secret, role, who)}`;
}

/** Who the token was issued to for this role, or undefined if it is not a valid token for it. */
export function verifyToken(secret: string, role: TokenRole, token: string): string | undefined {
  const [subject, signature] = token.split('.');
  if (!subject || !signature) return undefined;
  const who = Buffer.from(subject, 'base64url').toString('utf8');
  const expected = Buffer.from(sign(secret, role, who));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? who : undefined;
}

export const issuePortalToken = (secret: string, uscc: string) => issueToken(secret, 'portal', uscc);
export const verifyPortalToken = (secret: string, token: string) => verifyToken(secret, 'portal', token);
