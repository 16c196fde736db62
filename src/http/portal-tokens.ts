// Session tokens for the portal (an enterprise or a citizen) and for staff. A token names its role and
// one subject or user and is signed with HMAC-SHA256, so a holder can act only as what it names.
// (Real deployments put this behind the government's unified identity login; the token is what that
// login hands this service.)
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.ts';

export type TokenRole = 'portal' | 'staff';

const ROLE_TEXT: Record<TokenRole, string> = { portal: '企业或个人身份令牌', staff: '工作人员令牌' };

function sign(secret: string, role: TokenRole, who: string): string {
  return createHmac('sha256', secret).update(`${role}:${who}`).digest('base64url');
}

export function issueToken(secret: string, role: TokenRole, who: string): string {
  return `${Buffer.from(who, 'utf8').toString('base64url')}.${sign(secret, role, who)}`;
}

/** Who the token was issued to for this role, or undefined if it is not a valid token for it. */
function verifyToken(secret: string, role: TokenRole, token: string): string | undefined {
  const [subject, signature] = token.split('.');
  if (!subject || !signature) return undefined;
  const who = Buffer.from(subject, 'base64url').toString('utf8');
  const expected = Buffer.from(sign(secret, role, who));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? who : undefined;
}

export const issuePortalToken = (secret: string, uscc: string) => issueToken(secret, 'portal', uscc);

/**
 * Who a request's `Authorization: Bearer <token>` names for this role. No token, or one that does not
 * verify for any role, is UNAUTHENTICATED; a valid token of the other role is FORBIDDEN (the holder is
 * known, but may not use this part of the API).
 */
export function authenticate(secret: string, role: TokenRole, authorization: string | undefined): string {
  const header = authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
  const who = token ? verifyToken(secret, role, token) : undefined;
  if (who !== undefined) return who;
  const other: TokenRole = role === 'staff' ? 'portal' : 'staff';
  if (token && verifyToken(secret, other, token) !== undefined) {
    throw new AppError('FORBIDDEN', `This is a ${other} token; this part of the API needs a ${role} token (请使用${ROLE_TEXT[role]}).`);
  }
  throw new AppError('UNAUTHENTICATED', `Missing or invalid ${role} token; send Authorization: Bearer <token> (请先登录：缺少或无效的${ROLE_TEXT[role]}).`);
}
