/**
 * The console's `fd` view of an archived document (console/document-lines.ts): codes named
 * from the one table of each, 1212 by the version of the document it is in.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { documentLines } from '../../firmware/console/document-lines.ts';

const test = suite('console: a document tag by tag');

test('1212 = 12 is named by the item’s FFD: «составной предмет расчета» in 1.05 (1197), «выплата» in 1.2 (2108)', () => {
  const item = (unit: { tag: number; value: string | number }) => [{ tag: 1059, value: [{ tag: 1030, value: 'X' }, { tag: 1212, value: 12 }, unit] }];
  const v105 = documentLines(item({ tag: 1197, value: 'шт' })).join('\n');
  const v12 = documentLines(item({ tag: 2108, value: 0 })).join('\n');
  assert.match(v105, /\(1212\): 12 СОСТАВНОЙ ПРЕДМЕТ РАСЧЕТА/);
  assert.match(v12, /\(1212\): 12 ВЫПЛАТА/);
  assert.match(documentLines(item({ tag: 2108, value: 0 }).map((n) => ({ ...n, value: [...(n.value as { tag: number; value: number | string }[]), { tag: 1214, value: 4 }] }))).join('\n'), /\(1214\): 4 ПОЛНЫЙ РАСЧЕТ/);
});

test('an item that shows no unit is named by the FFD the FN works in', () => {
  const bare = [{ tag: 1059, value: [{ tag: 1030, value: 'X' }, { tag: 1212, value: 12 }] }];
  assert.match(documentLines(bare, '', '1.05').join('\n'), /\(1212\): 12 СОСТАВНОЙ ПРЕДМЕТ РАСЧЕТА/);
  assert.match(documentLines(bare, '', '1.2').join('\n'), /\(1212\): 12 ВЫПЛАТА/);
});

test.run();
