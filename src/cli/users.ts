// `cli user …`: staff accounts. add, reset-password, disable, list; all need account.manage (an
// administrator, given with --as), except the very first `user add`, which may run without --as while
// no administrator exists and must create one (bootstrap). Passwords only from stdin.
import { accountsOf } from '../identity/account-service.ts';
import { ROLE_TEXT } from '../identity/permissions.ts';
import * as args from './args.ts';
import { UsageError } from './args.ts';
import { readStdinSecret, type Command } from './command.ts';

export const userCommand: Command = {
  usage: `cli user add --login L --name N --roles r1,r2 [--password-stdin] [--as ADMIN]
cli user reset-password --login L --password-stdin --as ADMIN
cli user disable --login L --as ADMIN
cli user list --as ADMIN
  Staff accounts. Roles: policy_staff, reviewer, finance_officer, finance_approver, auditor, administrator.
  Logins are compared after NFKC, trimming and lower-casing ("Zhang", "zhang " and "ｚｈａｎｇ" are one).
  Passwords (at least 12 characters) are read from stdin only, never from the command line, and never
  printed; an account added without one cannot sign in until it is reset. The administrator's own
  password (for --as) comes from MIANSHEN_PASSWORD or a terminal prompt.
  The first administrator: \`user add … --roles administrator --password-stdin\` without --as, allowed
  only while no administrator account exists.`,
  prepare(argv) {
    const { values, positionals } = args.parse(
      argv,
      { login: { type: 'string' }, name: { type: 'string' }, roles: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
      this.usage,
    );
    const sub = args.positional(positionals, 0, 'add|reset-password|disable|list', this.usage);
    args.noMore(positionals, 1, this.usage);
    const login = () => {
      if (!values.login) throw new UsageError('missing --login L', this.usage);
      return values.login;
    };
    if (sub === 'add') {
      const target = login();
      if (!values.name) throw new UsageError('missing --name N (the person\'s name, e.g. 张伟)', this.usage);
      if (!values.roles) throw new UsageError('missing --roles r1,r2', this.usage);
      const name = values.name;
      const roles = values.roles.split(',').map((r) => r.trim()).filter(Boolean);
      const withPassword = values['password-stdin'] === true;
      return {
        permission: 'account.manage',
        bootstrap: true,
        action: async (app, actor) => {
          const password = withPassword ? await readStdinSecret('the new account\'s password') : undefined;
          const account = await accountsOf(app.db.orm, app.clock).create(actor, { login: target, displayName: name, roles, password });
          console.log(`account #${account.id} ${account.login} (${account.displayName}): ${account.roles.map((r) => ROLE_TEXT[r]).join('、')}${password === undefined ? '; no password yet (user reset-password)' : ''}`);
          return 0;
        },
      };
    }
    if (sub === 'reset-password') {
      const target = login();
      if (values['password-stdin'] !== true) throw new UsageError('missing --password-stdin: the new password is read from stdin only', this.usage);
      return {
        permission: 'account.manage',
        action: async (app, actor) => {
          const password = await readStdinSecret('the new password');
          await accountsOf(app.db.orm, app.clock).resetPassword(actor!, { login: target, password });
          console.log(`password of ${target.normalize('NFKC').trim().toLowerCase()} reset; its sessions are signed out`);
          return 0;
        },
      };
    }
    if (sub === 'disable') {
      const target = login();
      return {
        permission: 'account.manage',
        action: async (app, actor) => {
          await accountsOf(app.db.orm, app.clock).disable(actor!, { login: target });
          console.log(`account ${target.normalize('NFKC').trim().toLowerCase()} disabled; its sessions are signed out`);
          return 0;
        },
      };
    }
    if (sub === 'list') {
      return {
        permission: 'account.manage',
        action: async (app, actor) => {
          for (const a of await accountsOf(app.db.orm, app.clock).list(actor!)) {
            const state = a.disabled ? 'disabled' : a.locked ? 'locked' : 'active';
            console.log(`#${String(a.id).padEnd(4)} ${a.login.padEnd(20)} ${a.displayName.padEnd(10)} ${state.padEnd(8)} ${a.roles.join(',')}`);
          }
          return 0;
        },
      };
    }
    throw new UsageError(`unknown user command "${sub}"; expected: add, reset-password, disable, list`, this.usage);
  },
};
