import { beforeEach, describe, expect, it, vi } from 'vitest';
import { routes, type OtpRequestBody } from '@latchkey/contracts';
import { ManualTimers } from '../support/manual-timers.js';
import { startContractStub, stubController, type ContractStub } from '../support/contract-stub.js';

// "The helpdesk's day" on the lock controller, against a stub speaking the v1.2 contract, so each
// state can be set up in a line and the clock moved by hand. The same paths against the real server,
// in Chromium, are tests/e2e/lock/helpdesk-day.spec.ts (cancel of a sent request, attempts left, burn).
const MINUTE = 60_000;
const EMAIL = 'alice@corp.example.com';

let timers: ManualTimers;
let stub: ContractStub;
beforeEach(() => {
  timers = new ManualTimers();
  stub = startContractStub(timers);
});

const until = (check: () => boolean) => vi.waitFor(() => expect(check()).toBe(true), { timeout: 2_000, interval: 5 });
const requestsMade = () => stub.callsOf(routes.createOtpRequest);

async function sentCode(locale?: string) {
  const { controller, unlocked } = stubController(stub, timers, locale ? { locale } : {});
  await controller.start();
  await controller.requestOtp({ method: 'email', email: 'alcie@corp.example.com' });
  stub.approve(controller.state.request!.requestId);
  await controller.refreshRequest();
  expect(controller.state.request?.status).toBe('sent');
  return { controller, unlocked, request: stub.requests.at(-1)! };
}

describe('a wrong address after approval', () => {
  it('"Wrong address?" cancels the sent request and opens the form with the address to correct; the corrected request is not refused by the interval', async () => {
    const { controller } = await sentCode();
    expect(controller.state.canResend).toBe(true);
    await controller.cancelRequest();
    expect(stub.callsOf(routes.cancelOtpRequest).length > 0).toBe(true);
    expect(controller.state).toMatchObject({ popup: 'request', notice: { code: 'request_cancelled' } });
    expect(controller.state.notice!.text).toContain('alcie@corp.example.com');
    expect(controller.state.request).toBeUndefined();
    expect(controller.state.email).toBeUndefined();

    await controller.requestOtp({ method: 'email', email: EMAIL });
    expect(controller.state).toMatchObject({
      popup: 'lock',
      request: { status: 'pending', email: EMAIL },
      notice: { code: 'waiting_for_approval' },
    });
  });

  it('Resend names the address it mails again', async () => {
    const { controller } = await sentCode();
    await controller.resend();
    expect(controller.state.notice).toMatchObject({ code: 'otp_resent' });
    expect(controller.state.notice!.text).toContain('alcie@corp.example.com');
  });
});

describe('attempts left, the warning, and after a burn', () => {
  it('says how many attempts are left, warns before the last one, and after the burn Request leads to emergency access instead of an interval refusal', async () => {
    const { controller, request } = await sentCode();
    const wrong = request.otp.replace(/\d$/, (d) => String((Number(d) + 1) % 10));

    await controller.verify({ email: '', otp: wrong });
    expect(controller.state.notice).toMatchObject({ kind: 'error', code: 'wrong_code' });
    expect(controller.state.notice!.text).toContain('2 attempts left');

    await controller.verify({ email: '', otp: wrong });
    expect(controller.state.notice).toMatchObject({ kind: 'error', code: 'last_attempt' });
    expect(controller.state.notice!.text).toMatch(/last attempt/);

    await controller.verify({ email: '', otp: wrong });
    expect(controller.state).toMatchObject({ request: { status: 'burnt' }, notice: { code: 'request_burnt' } });
    // Issued just now with a 60-minute interval: a new one can be requested in an hour.
    expect(controller.state.nextRequestAt).toBe(timers.now() + 60 * MINUTE);

    const before = requestsMade().length;
    await controller.showRequest();
    // Said at once, with emergency access; no request was sent only to be refused.
    expect(controller.state).toMatchObject({ popup: 'request', notice: { code: 'otp_interval' } });
    expect(controller.state.notice!.text).toContain('I need emergency access to computer');
    expect(requestsMade().length).toBe(before);
    await controller.requestOtp({ method: 'emergency', email: EMAIL });
    expect(controller.state.request).toMatchObject({ status: 'pending', email: EMAIL });
  });

  it('"can be requested in N minutes" counts down and says "now" when the time has come', async () => {
    const { controller } = await sentCode();
    timers.advance(10 * MINUTE);
    await controller.showRequest();
    await controller.requestOtp({ method: 'email', email: EMAIL });
    expect(controller.state.notice).toMatchObject({ code: 'otp_interval' });
    expect(controller.state.notice!.text).toContain('in 50 minutes');
    timers.advance(MINUTE);
    expect(controller.state.notice!.text).toContain('in 49 minutes');
    timers.advance(48 * MINUTE);
    expect(controller.state.notice!.text).toContain('in 1 minute.');
    timers.advance(MINUTE);
    expect(controller.state.notice).toMatchObject({ kind: 'info', code: 'interval_over' });
    controller.dispose();
  });
});

describe("the company's words and the user's language", () => {
  it("shows the policy's title, sentence and helpdesk contact", async () => {
    stub.policy = {
      ...stub.policy,
      lockTitle: 'Contoso security check',
      lockMessage: 'Contoso asks for a code.',
      helpdeskContact: '+49 30 1234-567',
    };
    const { controller } = stubController(stub, timers);
    await controller.start();
    expect(controller.state).toMatchObject({
      lockTitle: 'Contoso security check',
      lockMessage: 'Contoso asks for a code.',
      helpdeskContact: '+49 30 1234-567',
    });
    stub.policy = { ...stub.policy, lockTitle: '', lockMessage: '', helpdeskContact: '' };
    await controller.retryNow();
    expect(controller.state.lockTitle).toBeUndefined();
    expect(controller.state.helpdeskContact).toBeUndefined();
  });

  it('speaks the Windows display language, sends it with the request, and falls back to English', async () => {
    const { controller } = await sentCode('de-AT');
    expect(controller.state.locale).toBe('de');
    expect((requestsMade()[0]!.body as OtpRequestBody).locale).toBe('de');
    expect(controller.state.notice!.text).toContain('alcie@corp.example.com');
    expect(controller.state.notice!.text).toMatch(/Einmalpasswort/);

    const { controller: other } = stubController(stub, timers, { locale: 'pt-BR' });
    expect(other.state.locale).toBe('en');
  });
});

describe('re-lock with relockSendsToSessionEmail', () => {
  it('asks for the new code at once for the session’s address, and says where it went', async () => {
    stub.policy = { ...stub.policy, relockSendsToSessionEmail: true };
    const { controller, unlocked, request } = await sentCode();
    await controller.verify({ email: '', otp: request.otp });
    expect(unlocked).toHaveLength(1);
    controller.relock('windows-unlock');
    await until(() => controller.state.notice?.code === 'relock_sent');
    expect(controller.state.notice!.text).toContain('alcie@corp.example.com');
    expect(controller.state.notice!.text).toContain('Windows was unlocked');
    const body = requestsMade().at(-1)!.body as OtpRequestBody;
    expect(body).toMatchObject({ method: 'email', email: 'alcie@corp.example.com', relockOf: unlocked[0]!.sessionId });
    expect(controller.state.request).toMatchObject({ status: 'sent' });
  });

  it('without it, the lock asks for nothing and says how to go on', async () => {
    stub.policy = { ...stub.policy, relockSendsToSessionEmail: false };
    const { controller, request } = await sentCode();
    await controller.verify({ email: '', otp: request.otp });
    const before = requestsMade().length;
    controller.relock('resume');
    await until(() => controller.state.busy === undefined);
    expect(controller.state.notice).toMatchObject({ code: 'relocked' });
    expect(requestsMade().length).toBe(before);
  });
});
