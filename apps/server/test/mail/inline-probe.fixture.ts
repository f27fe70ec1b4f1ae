// A template written the old way, for the inline-text scan to catch (mail-languages.test.ts).
export const probe = (code: string, until: string) => [
  'Your code is',
  `<p>${code}</p>`,
  `<strong>valid for</strong> ${until}`,
  'mail.otp.subject',
];
