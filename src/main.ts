// `npm start`: migrate, load policies and demo data, run the whole cycle once, print a summary, then
// keep serving HTTP and running the scheduled matches until SIGTERM or SIGINT. Without OIDC_* settings
// the portal signs in through the demo's own identity provider (模拟统一身份认证, src/demo/demo-idp.ts).
import { scheduleMatchRuns } from '../jobs/match-run.ts';
import { DEMO_PERIOD, DEMO_STAFF, runCycle } from './cycle.ts';
import { demoAccountsFrom, demoOidcSettings, startDemoIdp } from './demo/demo-idp.ts';
import { isAppError } from './errors.ts';
import { issueStaffToken } from './http/staff-routes.ts';
import { startServing } from './process.ts';
import { formatSummary } from './summary.ts';

async function main(): Promise<void> {
  let demoSettings: ReturnType<typeof demoOidcSettings> | undefined;
  const { config, app, server, oidc } = await startServing({ oidc: (c) => (demoSettings = demoOidcSettings(c)) });

  const summary = await runCycle(app, { seed: config.DEMO_SEED, enterprises: config.DEMO_ENTERPRISES, persons: config.DEMO_PERSONS, dataDir: config.DATA_DIR, shards: config.MATCH_SHARDS });
  await scheduleMatchRuns(app.boss, [{ scope: 'enterprise', period: DEMO_PERIOD, kind: 'incremental', shards: config.MATCH_SHARDS }], config.MATCH_CRON, config.TIMEZONE);
  console.log(formatSummary(summary));
  console.log(`scheduled: incremental enterprise match for ${DEMO_PERIOD} at "${config.MATCH_CRON}" (${config.TIMEZONE})`);

  const address = await server.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
  console.log(`serving on ${address}`);
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
  console.log(`  the match run as staff see it (demo token for ${DEMO_STAFF.policyOfficer}):`);
  console.log(`  curl -H 'Authorization: Bearer ${issueStaffToken(app.portalSecret, DEMO_STAFF.policyOfficer)}' ${address}/api/staff/runs/${summary.runs[0]?.run.runId ?? 1}`);
}

main().catch((error: unknown) => {
  if (isAppError(error)) console.error(`${error.code}: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
