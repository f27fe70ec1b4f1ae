import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import ts from 'typescript';

/**
 * Every text a person reads on the lock is a key in packages/i18n/src/catalogues/<lang>/lock.ts.
 * This scans the renderer and the lock's word-making modules for string literals that read like
 * words (a space between letters, or a capitalised word) and fails on any that is not a catalogue
 * key, an id, a class, an attribute or on the allow-list below.
 */
const SRC = join(import.meta.dirname, '..', '..', 'src');
const SCANNED = [
  ...readdirSync(join(SRC, 'renderer'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join('renderer', f)),
  'lock/messages.ts',
  'lock/relock.ts',
  'lock/verdict.ts',
  'lock/lock-decision.ts',
  'lock/lock-controller.ts',
  'lock/offline-flow.ts',
];

/** Files that are not the lock: the preview's own controls (outside the card), named in English by the spec. */
const ALLOWED_FILES = new Set(['renderer/preview.ts', 'renderer/preview-activity.ts']);

/** Literals with letters that are not words for a person: key names, algorithm names, log lines. */
const ALLOWED = new Set(['Escape', 'Tab', 'Ed25519', 'HMAC', 'SHA-256', 'NFC', 'en-US', 'ApiError']);

function literals(file: string): { text: string; line: number }[] {
  const source = ts.createSourceFile(file, readFileSync(join(SRC, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const found: { text: string; line: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    // Attribute values that are not shown (class lists), and log lines for the operator.
    if (ts.isPropertyAssignment(node) && /^'?(class|id|for|role|type|autocomplete)'?$/.test(node.name.getText(source))) return;
    if (ts.isCallExpression(node) && /\blog\??\.?$|\blog$/.test(node.expression.getText(source))) return;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      found.push({ text: node.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    } else if (ts.isTemplateExpression(node)) {
      const parts = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
      found.push({ text: parts, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Reads like words: letters with a space between them, or a capitalised word ("Sign", "Unlock"). */
const WORDS = /\p{L}\s+\p{L}|^\p{Lu}\p{Ll}+/u;
/** A catalogue key (`lock.title`, `error.${code}`), or `key.` prefixes built with a value. */
const KEY = /^(lock|request|signOut|unlocked|signingOut|page|offline|notice|error|relock)\.[\w.-]*$/;

describe('no inline text in the lock', () => {
  for (const file of SCANNED) {
    it(`${file} says everything through the catalogue`, () => {
      if (ALLOWED_FILES.has(file)) return;
      const inline = literals(file)
        .filter(({ text }) => WORDS.test(text) && !KEY.test(text.trim()) && !ALLOWED.has(text))
        .map(({ text, line }) => `${file}:${line}: ${JSON.stringify(text)}`);
      expect(inline).toEqual([]);
    });
  }

  it('the check finds an inline sentence (it is not vacuous)', () => {
    expect(WORDS.test('Enter the one-time password')).toBe(true);
    expect(WORDS.test('lock-title')).toBe(false);
    expect(WORDS.test('Unlocked')).toBe(true);
    expect(KEY.test('lock.title')).toBe(true);
  });
});
