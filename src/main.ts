// `npm start`: migrate, load policies and demo data, run the whole cycle once, print a summary, then
// keep serving HTTP and running the scheduled matches until SIGTERM or SIGINT. Demo mode only: the
// cycle creates the demo staff accounts, and this prints how to sign in with their demo passwords.
// Nothing here prints a session token.
import { scheduleMatchRuns } from '../jobs/match-run.ts';
import { DEMO_PERIOD, runCycle } from './cycle.ts';
import { DEMO_ACCOUNTS } from './demo/demo-accounts.ts';
import { isAppError } from './errors.ts';
import { ROLE_TEXT } from './identity/permissions.ts';
// Without OIDC_* settings the portal signs in through the demo's own identity provider
// (模拟统一身份认证, src/demo/demo-idp.ts).
import { demoAccountsFrom, demoOidcSettings, startDemoIdp } from './demo/demo-idp.ts';
import { startServing } from './process.ts';
import { formatSummary } from './summary.ts';

async function main(): Promise<void> {
  let demoSettings: ReturnType<typeof demoOidcSettings> | undefined;
  const { config, app, server, oidc } = await startServing({ oidc: (c) => (demoSettings = demoOidcSettings(c)) });

  const summary = await runCycle(app, {
    seed: config.DEMO_SEED,
    enterprises: config.DEMO_ENTERPRISES,
    persons: config.DEMO_PERSONS,
    dataDir: config.DATA_DIR,
    shards: config.MATCH_SHARDS,
    secondApprovalAboveFen: config.SECOND_APPROVAL_ABOVE_FEN,
  });
  await scheduleMatchRuns(app.boss, [{ scope: 'enterprise', period: DEMO_PERIOD, kind: 'incremental', shards: config.MATCH_SHARDS }], config.MATCH_CRON, config.TIMEZONE);
  console.log(formatSummary(summary));
  console.log(`scheduled: incremental enterprise match for ${DEMO_PERIOD} at "${config.MATCH_CRON}" (${config.TIMEZONE})`);

  const address = await server.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
  console.log(`serving on ${address}`);
  console.log('demo staff accounts (they and their demo passwords exist only in demo mode, npm start; npm run serve creates none):');
  for (const account of DEMO_ACCOUNTS) {
    console.log(`  ${account.login.padEnd(14)} ${account.demoPassword.padEnd(20)} ${account.roles.map((r) => ROLE_TEXT[r]).join('、')}（${account.displayName}）`);
  }
  console.log('  sign in (the cookie jar keeps the session; send the returned csrfToken as x-csrf-token on POSTs):');
  console.log(`  curl -c jar -H 'content-type: application/json' -d '{"login":"policy.li","password":"demo-policy-li"}' ${address}/api/auth/sign-in`);
  console.log(`  curl -b jar ${address}/api/staff/runs/${summary.runs[0]?.run.runId ?? 1}`);
  if (demoSettings && oidc === demoSettings) {
    const accounts = await demoAccountsFrom(app.db);
    const idp = await startDemoIdp({ settings: demoSettings, accounts, host: config.HTTP_HOST, port: config.DEMO_IDP_PORT, issuer: demoSettings.issuer.origin });
    console.log(`模拟统一身份认证 (demo identity provider, no passwords; demo mode only): ${idp.url}`);
    console.log(`  sign in to the portal in a browser: ${demoSettings.redirectUri.origin}/api/portal/auth/login`);
    const firms = accounts.filter((a) => a.kind === 'enterprise').length;
    console.log(`  and choose one of the demo accounts it lists (${firms} enterprises, ${accounts.length - firms} citizens); you land on /api/portal/me, then open`);
    console.log(`  ${demoSettings.redirectUri.origin}/api/portal/entitlements and ${demoSettings.redirectUri.origin}/api/portal/payments`);
  } else if (oidc) {
    console.log(`  portal sign-in through ${oidc.issuer.href}: ${address}/api/portal/auth/login`);
  }
}

main().catch((error: unknown) => {
  if (isAppError(error)) console.error(`${error.code}: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
