import { routes } from '@latchkey/contracts';
import { expect, test } from '../support/fixtures.ts';
import { expectAxeClean, previewUrl } from './lock-helpers.ts';

/**
 * "Who must unlock, and when" on the lock: its language (the preview's `&lang=` stands for Windows'
 * display language), and the company's words from the policy.
 */
const LANGUAGES = [
  { lang: 'de', title: 'Ein Einmalpasswort ist erforderlich', request: 'Einmalpasswort anfordern', email: 'E-Mail', submit: 'Anfordern' },
  {
    lang: 'fr',
    title: 'Un mot de passe à usage unique est requis',
    request: 'Demander un mot de passe à usage unique',
    email: 'E-mail',
    submit: 'Demander',
  },
  {
    lang: 'es',
    title: 'Se necesita una contraseña de un solo uso',
    request: 'Solicitar contraseña de un solo uso',
    email: 'Correo electrónico',
    submit: 'Solicitar',
  },
  { lang: 'en', title: 'A one-time password is required', request: 'Request One-Time Password', email: 'Email', submit: 'Request' },
];

for (const { lang, title, request, email, submit } of LANGUAGES) {
  test(`speaks ${lang}: the lock, its request pop-up and the status`, async ({ page, stack }) => {
    const computer = `PC-LANG-${lang.toUpperCase()}`;
    await page.goto(`${previewUrl(stack, computer)}&lang=${lang}`);
    const lock = page.getByRole('dialog', { name: title });
    await expect(lock).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await lock.getByRole('button', { name: request }).click();
    const popup = page.getByRole('dialog', { name: request });
    await popup.getByLabel(email, { exact: true }).fill(`lang-${lang}@corp.example.com`);
    await popup.getByRole('button', { name: submit, exact: true }).click();
    await expect(lock.getByRole('status')).toContainText(`lang-${lang}@corp.example.com`);
    await expectAxeClean(page, `pending in ${lang}`);
  });
}

test('an unknown language falls back to English', async ({ page, stack }) => {
  await page.goto(`${previewUrl(stack, 'PC-LANG-XX')}&lang=pt-BR`);
  await expect(page.getByRole('dialog', { name: 'A one-time password is required' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});

test('a regional tag speaks its language, with plural forms and the time in its form', async ({ page, stack }) => {
  await stack.settings({ otpRequestIntervalMinutes: 60 });
  await page.goto(`${previewUrl(stack, 'PC-LANG-DE-AT')}&lang=de-AT`);
  const lock = page.getByRole('dialog', { name: 'Ein Einmalpasswort ist erforderlich' });
  await lock.getByRole('button', { name: 'Einmalpasswort anfordern' }).click();
  const popup = page.getByRole('dialog', { name: 'Einmalpasswort anfordern' });
  await popup.getByLabel('E-Mail', { exact: true }).fill('de-at@corp.example.com');
  await popup.getByRole('button', { name: 'Anfordern', exact: true }).click();
  await stack.admin(routes.approveAccessRequest, {
    params: { requestId: await stack.pendingRequestId('de-at@corp.example.com') },
    body: {},
  });
  await expect(lock.getByRole('status')).toContainText('Ein Einmalpasswort wurde an de-at@corp.example.com geschickt');
  await expect(lock.locator('#lock-expiry')).toHaveText(/^Dieses Einmalpasswort gilt bis \d{2}:\d{2} Uhr\.$/);
  // A second request within the interval: refused in German, counting in minutes.
  await lock.getByRole('button', { name: 'Einmalpasswort anfordern' }).click();
  await popup.getByLabel('E-Mail', { exact: true }).fill('de-at@corp.example.com');
  await popup.getByRole('button', { name: 'Anfordern', exact: true }).click();
  await expect(popup.getByRole('status')).toContainText(/kann in \d+ Minuten angefordert werden/);
  await expectAxeClean(page, 'interval refusal in German');
});

test("shows the company's heading, sentence and helpdesk line from the policy", async ({ page, stack }) => {
  await stack.settings({
    lockTitle: 'Contoso security check',
    lockMessage: 'Contoso protects this computer with a one-time password.',
    helpdeskContact: 'IT helpdesk +49 30 1234-567, it@contoso.example',
  });
  await page.goto(previewUrl(stack, 'PC-WORDS-01'));
  const lock = page.getByRole('dialog', { name: 'Contoso security check' });
  await expect(lock).toBeVisible();
  await expect(lock.locator('#lock-context')).toHaveText(
    'Contoso protects this computer with a one-time password. Request a one-time password to unlock it.',
  );
  await expect(lock.getByText('Helpdesk: IT helpdesk +49 30 1234-567, it@contoso.example')).toBeVisible();
  await expectAxeClean(page, "company's words");
});
