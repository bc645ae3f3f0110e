// A real OpenID provider for the test suite: npm's `oidc-provider` (OpenID Certified), on loopback.
// Usage: node op.mjs PORT ACCOUNTS.json — prints "READY <issuer>" when it listens.
// Clients register themselves (dynamic registration), so each test server's redirect URI can be used.
// Logins go through the package's development form (any login name, any password); the account's
// claims come from ACCOUNTS.json ({"login name": {"email": …, "employee_number": …}}).
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const [port, accountsFile] = process.argv.slice(2);
const ACCOUNTS = JSON.parse(readFileSync(accountsFile, 'utf8'));
const CLAIMS = ['email', 'name', 'employee_number', 'roles', 'nsis_loa'];

const provider = new Provider(`http://127.0.0.1:${port}`, {
  cookies: { keys: ['kapabel-tests-only'] },
  claims: { openid: ['sub'], email: ['email'], profile: ['name'], kapabel: ['employee_number', 'roles', 'nsis_loa'] },
  scopes: ['openid', 'email', 'profile', 'kapabel'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    registration: { enabled: true },
  },
  async findAccount(ctx, sub) {
    if (!(sub in ACCOUNTS)) return undefined;
    return { accountId: sub, async claims() { return { sub, ...ACCOUNTS[sub] }; } };
  },
  async loadExistingGrant(ctx) {  // consent is implied: no consent page in the tests
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile kapabel');
    grant.addOIDCClaims(CLAIMS);
    await grant.save();
    return grant;
  },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));
provider.listen(Number(port), '127.0.0.1', () => console.log(`READY http://127.0.0.1:${port}`));
