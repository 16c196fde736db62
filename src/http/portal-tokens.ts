// Portal sessions for enterprises: a token names one 统一社会信用代码 and is signed with HMAC-SHA256,
// so an enterprise can read only its own data. (Real deployments put this behind the government's
// unified identity login; the token is what that login hands this service.)
import { createHmac, timingSafeEqual } from 'node:crypto';

export function issuePortalToken(secret: string, uscc: string): string {
  const subject = Buffer.from(uscc, 'utf8').toString('base64url');
  const signature = createHmac('sha256', secret).update(`portal:${uscc}`).digest('base64url');
  return `${subject}.${signature}`;
}

/** The 统一社会信用代码 the token was issued for, or undefined if it is not a valid token. */
export function verifyPortalToken(secret: string, token: string): string | undefined {
  const [subject, signature] = token.split('.');
  if (!subject || !signature) return undefined;
  const uscc = Buffer.from(subject, 'base64url').toString('utf8');
  const expected = Buffer.from(createHmac('sha256', secret).update(`portal:${uscc}`).digest('base64url'));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? uscc : undefined;
}
