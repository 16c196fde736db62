// 模拟统一身份认证: a real OpenID Connect provider (oidc-provider) run in process for `npm start` and
// the tests, so an enterprise or a citizen can sign in to the portal without a government IdP. It
// knows only the demo accounts it is given and checks nothing but that the chosen one is on its list
// (there is no password: this is a demo, never started by `npm run serve`). Tokens are signed with a
// key generated at start; the client secret is random per process.
import { decryptField } from '../subjects/personal-data.ts';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { interactionPolicy } from 'oidc-provider';
import type { Config } from '../config.ts';
import type { Database } from '../db/clients.ts';
import type { OidcSettings } from '../identity/oidc-client.ts';
import { maskIdNumber } from '../subjects/id-number.ts';

export interface DemoAccount {
  kind: 'enterprise' | 'citizen';
  name: string;
  /** The USCC (enterprise) or identity number (citizen) the ID token carries. */
  identifier: string;
}

export interface DemoIdp {
  url: string;
  close(): Promise<void>;
}

/** The portal's OIDC settings for the demo IdP on DEMO_IDP_PORT, redirecting back to this server. */
export function demoOidcSettings(config: Config): OidcSettings {
  return {
    issuer: new URL(`http://localhost:${config.DEMO_IDP_PORT}`),
    clientId: 'mianshen-demo',
    clientSecret: randomBytes(24).toString('base64url'),
    redirectUri: new URL(`http://localhost:${config.HTTP_PORT}/api/portal/auth/callback`),
    scope: config.OIDC_SCOPE,
    usccClaim: config.OIDC_USCC_CLAIM,
    idNumberClaim: config.OIDC_ID_NUMBER_CLAIM,
  };
}

/** A few demo subjects worth signing in as: enterprises that were paid, citizens that are listed. */
export async function demoAccountsFrom(db: Database): Promise<DemoAccount[]> {
  const firms = await db.sql<{ uscc: string; name: string }[]>`
    select e.uscc, e.name from enterprises e
    where exists (select 1 from list_entries l where l.subject_key = e.uscc and l.status = 'paid')
    order by e.uscc limit 3`;
  // Persons are filed under their person key; the demo identity provider hands out the 公民身份号码
  // itself (as the unified identity would), so it is decrypted here, in demo mode only.
  const people = (
    await db.sql<{ id_enc: string; name: string }[]>`
      select p.id_enc, p.name from persons p
      where exists (select 1 from list_entries l where l.subject_key = p.person_key and l.outcome = 'eligible')
      order by p.person_key limit 2`
  ).map((p) => ({ id_number: decryptField(p.id_enc), name: p.name }));
  return [
    ...firms.map((f) => ({ kind: 'enterprise' as const, name: f.name, identifier: f.uscc })),
    ...people.map((p) => ({ kind: 'citizen' as const, name: p.name, identifier: p.id_number })),
  ];
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
label{display:block;margin:.4rem 0}.note{color:#8a5a00;background:#fff6e0;padding:.6rem}.error{color:#b00020}</style></head>
<body><h1>模拟统一身份认证</h1><p class="note">演示环境：不校验密码，仅可选择下列演示账户登录。生产环境请对接真实的统一身份认证平台。</p>${body}</body></html>`;
}

function loginForm(uid: string, accounts: readonly DemoAccount[], error?: string): string {
  const options = accounts
    .map((a, n) => {
      const shown = a.kind === 'enterprise' ? `法人：${a.name}（统一社会信用代码 ${a.identifier}）` : `个人：${a.name}（公民身份号码 ${maskIdNumber(a.identifier)}）`;
      return `<label><input type="radio" name="account" value="${n}"${n === 0 ? ' checked' : ''}> ${escapeHtml(shown)}</label>`;
    })
    .join('\n');
  return page(
    '模拟统一身份认证 - 登录',
    `${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}<form method="post" action="/interaction/${encodeURIComponent(uid)}/login">
${options}
<p>或输入演示名单中的统一社会信用代码或公民身份号码：<input name="identifier" autocomplete="off" size="20"></p>
<button type="submit">登录</button></form>`,
  );
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 10_000) break;
  }
  return new URLSearchParams(text);
}

/**
 * The IdP's storage (codes, sessions, grants) in this process's memory: a demo IdP forgets everything
 * on restart, which is what a demo wants. (oidc-provider's own in-memory adapter does the same but
 * warns on every start.)
 */
function memoryAdapter() {
  const store = new Map<string, { payload: Record<string, unknown>; expiresAt: number }>();
  const live = (key: string) => {
    const found = store.get(key);
    if (found && found.expiresAt < Date.now()) store.delete(key);
    return found && found.expiresAt >= Date.now() ? found.payload : undefined;
  };
  return class MemoryAdapter {
    readonly name: string;
    constructor(name: string) {
      this.name = name;
    }
    upsert(id: string, payload: Record<string, unknown>, expiresIn: number) {
      store.set(`${this.name}:${id}`, { payload, expiresAt: Date.now() + expiresIn * 1000 });
      if (typeof payload.uid === 'string') store.set(`${this.name}:uid:${payload.uid}`, { payload: { id }, expiresAt: Date.now() + expiresIn * 1000 });
      return Promise.resolve();
    }
    find(id: string) {
      return Promise.resolve(live(`${this.name}:${id}`));
    }
    findByUid(uid: string) {
      const id = live(`${this.name}:uid:${uid}`)?.id;
      return Promise.resolve(typeof id === 'string' ? live(`${this.name}:${id}`) : undefined);
    }
    findByUserCode() {
      return Promise.resolve(undefined);
    }
    consume(id: string) {
      const payload = live(`${this.name}:${id}`);
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      return Promise.resolve();
    }
    destroy(id: string) {
      store.delete(`${this.name}:${id}`);
      return Promise.resolve();
    }
    revokeByGrantId(grantId: string) {
      for (const [key, { payload }] of store) if (payload.grantId === grantId) store.delete(key);
      return Promise.resolve();
    }
  };
}

/**
 * Starts the demo IdP on host:port (0 for an ephemeral port). `issuer` may differ from where it listens
 * when something sits in front of it (the tests' interposer), so it is given, not derived.
 */
export async function startDemoIdp(options: { settings: OidcSettings; accounts: readonly DemoAccount[]; host: string; port: number; issuer?: string }): Promise<DemoIdp> {
  const { settings, accounts } = options;
  const byId = new Map(accounts.map((a, n) => [String(n), a]));
  // Every authorization asks whom to sign in as, so the demo can switch between accounts.
  const policy = interactionPolicy.base();
  policy.get('login')?.checks.add(new interactionPolicy.Check('demo_choose_account', '模拟环境每次登录都选择账户', (ctx) => !(ctx as { oidc: { result?: { login?: unknown } } }).oidc.result?.login));
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const issuer = options.issuer ?? `http://${options.host === '127.0.0.1' || options.host === '::1' ? 'localhost' : options.host}:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: settings.clientId,
        client_secret: settings.clientSecret,
        redirect_uris: [settings.redirectUri.href],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    findAccount(_ctx: unknown, id: string) {
      const account = byId.get(id);
      if (!account) return Promise.resolve(undefined);
      const claim = account.kind === 'enterprise' ? settings.usccClaim : settings.idNumberClaim;
      return Promise.resolve({ accountId: id, claims: () => ({ sub: `demo-${id}`, name: account.name, [claim]: account.identifier }) });
    },
    // The identity claims ride in the ID token, whose signature covers them.
    claims: { openid: ['sub', 'name', settings.usccClaim, settings.idNumberClaim] },
    conformIdTokenClaims: false,
    adapter: memoryAdapter(),
    pkce: { required: () => true },
    // Seconds. Codes are single-use and short; a demo session lasts an hour.
    ttl: { AuthorizationCode: 60, AccessToken: 600, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`, policy },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    jwks: { keys: [{ ...signingKey, kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' }] },
    renderError(ctx: { type: string; body: string }, out: Record<string, string>) {
      ctx.type = 'html';
      ctx.body = page('模拟统一身份认证 - 出错', `<p class="error">${escapeHtml(out.error ?? 'error')}: ${escapeHtml(out.error_description ?? '')}</p>`);
      return Promise.resolve();
    },
  });
  const handle = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction cookie does not match the address');
    const send = (status: number, html: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
    };
    let accountId = details.session?.accountId;
    if (details.prompt.name === 'login') {
      if (req.method !== 'POST' || action !== 'login') return send(200, loginForm(uid, accounts));
      const body = await formBody(req);
      const typed = body.get('identifier')?.trim();
      accountId = typed ? [...byId].find(([, a]) => a.identifier === typed)?.[0] : body.get('account') ?? undefined;
      if (accountId === undefined || !byId.has(accountId)) return send(400, loginForm(uid, accounts, '不在演示名单中：请选择或输入名单中的统一社会信用代码或公民身份号码。'));
    }
    if (accountId === undefined) throw new Error('consent without a signed-in account');
    // The demo consents on the user's behalf to what the portal asked for (openid and its claims).
    const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    grant.addOIDCScope(typeof details.params.scope === 'string' ? details.params.scope : 'openid');
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/interaction\/([\w-]+)(?:\/(\w+))?$/.exec((req.url ?? '').split('?')[0] ?? '');
    if (!match) return handle(req, res);
    interaction(req, res, match[1]!, match[2]).catch(() => {
      if (res.headersSent) return res.end();
      res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page('模拟统一身份认证 - 出错', '<p class="error">登录会话已失效，请回到门户重新点击登录。</p>'));
    });
  });
  return {
    url: issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
