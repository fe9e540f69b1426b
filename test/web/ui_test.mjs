// Browser test of the cshield web pages: Debian's chromium (never a
// downloaded browser) driven by playwright-core. Run by test/e2e/e2e_ui_tests.cc,
// which starts the real daemon and a runc container that raised alarms.
// Environment: CSHIELD_URL (http://127.0.0.1:PORT), CSHIELD_TOKEN,
// CSHIELD_CONTAINER (the container's id), CSHIELD_ARTIFACTS (screenshot dir).
// Exits non-zero on the first failed step, naming it.
import {chromium} from 'playwright-core';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const {CSHIELD_URL: base, CSHIELD_TOKEN: token, CSHIELD_CONTAINER: container, CSHIELD_ARTIFACTS: out} = process.env;
if (!base || !token || !container || !out) {
  console.error('set CSHIELD_URL, CSHIELD_TOKEN, CSHIELD_CONTAINER and CSHIELD_ARTIFACTS');
  process.exit(2);
}
const TIMEOUT = 10000;
const GROUP = 'ui-test-' + process.pid;

let step = 'start';
const log = (s) => { step = s; console.log('== ' + s); };
function check(cond, what) { if (!cond) throw new Error('check failed: ' + what); }

async function apiGet(path) {
  const r = await fetch(base + path, {headers: {Authorization: 'Bearer ' + token}});
  check(r.ok, `GET ${path} answered ${r.status}`);
  return r.json();
}

const profile = mkdtempSync(join(tmpdir(), 'cshield-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: {width: 1280, height: 900},
});
const problems = [];
const urls = [];
let status = 0;
try {
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('console', (m) => { if (m.type() === 'error' && !/status of (401|422) /.test(m.text())) problems.push('console: ' + m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('request', (r) => urls.push(r.url()));
  page.on('dialog', (d) => d.accept());
  const shot = (name) => page.screenshot({path: join(out, name), fullPage: true});

  log('the page asks for the token');
  await page.goto(base + '/');
  await page.getByLabel('API token', {exact: true}).waitFor();
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement && document.activeElement.textContent) !== null, 'Tab moves focus');
  await shot('login.png');

  log('a wrong token is refused');
  await page.getByLabel('API token', {exact: true}).fill('not-the-token-not-the-token');
  await page.getByRole('button', {name: 'Log in'}).click();
  await page.getByText('That token is not accepted.').waitFor();

  log('log in');
  await page.getByLabel('API token', {exact: true}).fill(token);
  await page.getByLabel('API token', {exact: true}).press('Enter');
  await page.getByRole('heading', {name: 'Container alarms'}).waitFor();
  check(await page.evaluate(() => sessionStorage.getItem('cshield.token')) === token, 'token kept in sessionStorage');

  log('alarms raised by the real container are listed');
  const rows = page.locator('table.alarms tbody tr[data-id]');
  await page.locator('table.alarms tbody tr', {hasText: container}).first().waitFor();
  await page.locator('.summary .chip.unhandled').waitFor();
  await shot('alarms.png');

  log('filter by type');
  await page.getByLabel('Type', {exact: true}).selectOption('high_risk_syscall');
  await page.waitForFunction(() => location.hash.includes('type=high_risk_syscall'));
  await page.waitForFunction(() => {
    const cells = [...document.querySelectorAll('table.alarms tbody tr[data-id] td:nth-child(3) .small')];
    return cells.length > 0 && cells.every((c) => c.textContent.startsWith('high_risk_syscall'));
  });
  check(await rows.count() > 0, 'filtered rows');
  await shot('alarms-filtered.png');

  log('open an alarm of the container');
  const row = page.locator('table.alarms tbody tr[data-id]', {hasText: container}).first();
  const alarmId = await row.getAttribute('data-id');
  await row.locator('a.alarm-link').focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', {name: 'Process'}).waitFor();
  check(page.url().endsWith('#/alarms/' + alarmId), 'detail URL');
  const serial = (await page.locator('#audit-serial').textContent()).trim();
  const viaApi = await apiGet('/api/v1/alarms/' + alarmId);
  check(serial === String(viaApi.audit.serial), `audit serial ${serial} shown`);
  check(await page.getByText(container).count() > 0, 'container id shown');
  await shot('alarm-detail.png');

  log('mark it handled with a note');
  await page.getByLabel('handled', {exact: true}).check();
  await page.getByLabel('Note', {exact: true}).fill('checked by the browser test');
  await page.getByRole('button', {name: 'Save'}).click();
  await page.locator('#alarm-status', {hasText: 'handled'}).waitFor();
  const handled = await apiGet('/api/v1/alarms/' + alarmId);
  check(handled.status === 'handled', 'status through the API is ' + handled.status);
  check(handled.note === 'checked by the browser test', 'note through the API');
  await shot('alarm-handled.png');

  log('a policy group with a bad glob is refused, the reason next to its field');
  await page.goto(base + '/#/policy');
  await page.getByRole('heading', {name: 'Policy groups'}).waitFor();
  await page.getByRole('link', {name: 'New policy group'}).click();
  await page.getByLabel('Name', {exact: true}).fill(GROUP);
  await page.getByLabel('Container names', {exact: true}).fill(container);
  await page.getByLabel('Process whitelist', {exact: true}).fill('/bin/sh\n/usr/bin/[');
  await page.getByLabel('Protected files', {exact: true}).fill('/etc/passwd');
  await page.getByRole('button', {name: 'Create'}).click();
  const fieldError = page.locator('#g-process_whitelist-error');
  await fieldError.getByText("bad glob '/usr/bin/['").waitFor();
  check(await page.getByLabel('Process whitelist', {exact: true}).getAttribute('aria-invalid') === 'true', 'field marked invalid');
  await shot('policy-error.png');

  log('fix it and see it listed');
  await page.getByLabel('Process whitelist', {exact: true}).fill('/bin/sh\n/usr/bin/*');
  await page.getByRole('button', {name: 'Create'}).click();
  await page.getByRole('heading', {name: 'Policy groups'}).waitFor();
  const listed = page.locator(`tr[data-group="${GROUP}"]`);
  await listed.waitFor();
  const group = await apiGet('/api/v1/policy-groups/' + GROUP);
  check(JSON.stringify(group.process_whitelist) === JSON.stringify(['/bin/sh', '/usr/bin/*']), 'group stored');
  await shot('policy-groups.png');

  log('add the alarm\'s executable to the group\'s whitelist in one step');
  await page.goto(base + '/#/alarms/' + alarmId);
  await page.getByLabel('Policy group', {exact: true}).selectOption(GROUP);
  await page.getByRole('button', {name: 'Add to whitelist'}).click();
  await page.locator('#toast', {hasText: 'added to the whitelist'}).waitFor();
  const after = await apiGet('/api/v1/policy-groups/' + GROUP);
  check(after.process_whitelist.includes(viaApi.process.exe), 'exe appended: ' + JSON.stringify(after.process_whitelist));

  log('containers view');
  await page.goto(base + '/#/containers');
  await page.getByRole('heading', {name: 'Containers'}).waitFor();
  await page.locator(`tr[data-container="${container}"]`).waitFor();
  await shot('containers.png');

  log('phone width');
  await page.setViewportSize({width: 390, height: 844});
  await page.goto(base + '/#/alarms');
  await page.locator('table.alarms tbody tr[data-id]').first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `no horizontal scrolling at 390 px (overflow ${overflow}px)`);
  await shot('alarms-phone.png');

  log('the token never appears in a URL, nothing is fetched from elsewhere');
  check(!urls.some((u) => u.includes(token)), 'token in a URL');
  check(urls.every((u) => u.startsWith(base)), 'only the daemon was asked: ' + urls.filter((u) => !u.startsWith(base)).join(' '));
  check(problems.length === 0, 'browser errors: ' + problems.join('\n'));
  console.log('PASS: every step');
} catch (e) {
  console.error(`FAIL at step "${step}": ${e.message}`);
  if (problems.length) console.error(problems.join('\n'));
  try { await context.pages()[0].screenshot({path: join(out, 'failure.png'), fullPage: true}); } catch {}
  status = 1;
} finally {
  await context.close();
  rmSync(profile, {recursive: true, force: true});
}
process.exit(status);
