/**
 * Registration, re-registration and close-FN reports on paper (issue 12 §3), from the tags
 * the archived document carries, and the tag 1205 reason table behind them (issue 12, the
 * bits confirmed against public copies of the FFD table: firmware/fiscal/SOURCES.md).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../firmware/config/parse-config.ts';
import { fpdTag1077 } from '../../firmware/fiscal/fpd-tag.ts';
import { KKT_CHANGE_BIT, KKT_CHANGE_REASONS, kktChangeReasons } from '../../firmware/fiscal/kkt-change-reasons.ts';
import { FD_TYPE } from '../../firmware/fiscal/tag-table.ts';
import type { TlvNode } from '../../firmware/fiscal/tlv-codec.ts';
import { copyRequest } from '../../firmware/print/copy-from-archive.ts';
import { layoutDocument } from '../../firmware/print/receipt-layout.ts';
import { REREGISTRATION_REASONS } from '../../firmware/provisioning/fn-lifecycle.ts';
import { T0 } from '../helpers/fn-rig.ts';

const it = suite('registration reports on paper');
const registration = parseConfig(readFileSync('device-config/demo.json', 'utf8'), 'demo').registration;

/** What every FD carries, as the FN forms it. */
const common = (fd: number): TlvNode[] => [
  { tag: 1012, value: T0 },
  { tag: 1040, value: fd },
  { tag: 1041, value: '9999078900005488' },
  { tag: 1018, value: '7707083893' },
  { tag: 1037, value: '0000000001048928' },
  { tag: 1077, value: fpdTag1077(123456789) },
];

function paper(fdType: number, nodes: TlvNode[], columns = 48): string[] {
  const req = copyRequest({ id: 'r', type: 'print_copy', fd: 1 }, { fdType, nodes }, registration);
  return layoutDocument({ ...req, copy: false }, columns).lines.map((l) => l.text);
}

/** `label … value` on one line, or the value on the lines after (wrapped where it is wider than the paper). */
const row = (lines: readonly string[], label: string, value: string): boolean => {
  const esc = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[ \\n]+');
  return new RegExp(`^${esc(label)}[ \\n]+${esc(value)}$`, 'm').test(lines.join('\n'));
};

it('tag 1205: the bits the register sends are those of the FFD table; the commands use them', () => {
  assert.equal(KKT_CHANGE_BIT, { fnReplacement: 0, ofd: 1, userName: 2, address: 3, taxSystems: 7, ffdVersion: 21, other: 31 });
  // firmware/provisioning/fn-lifecycle.ts keeps its own copy of the bits: it must agree.
  assert.equal(
    Object.fromEntries(Object.entries(REREGISTRATION_REASONS).map(([k, v]) => [k, v.bit1205])),
    { fn_replacement: KKT_CHANGE_BIT.fnReplacement, ofd: KKT_CHANGE_BIT.ofd, user_name: KKT_CHANGE_BIT.userName, address: KKT_CHANGE_BIT.address, tax_systems: KKT_CHANGE_BIT.taxSystems, settings: KKT_CHANGE_BIT.other },
  );
  assert.equal(Object.keys(KKT_CHANGE_REASONS).map(Number), [...Array.from({ length: 22 }, (_, i) => i), 31], 'the FFD table: codes 1–22 and 32 are bits 0–21 and 31');
  assert.equal(kktChangeReasons(2 ** 31 + (1 << 3)), ['ИЗМЕНЕНИЕ АДРЕСА И (ИЛИ) МЕСТА УСТАНОВКИ ККТ', 'ИНЫЕ ПРИЧИНЫ']);
  assert.equal(kktChangeReasons(1 << 25), ['ПРИЧИНА 26'], 'a bit outside the table is named, not dropped');
});

it('FFD 1.2 re-registration: user, tax systems, modes, OFD, versions, each reason; nothing wider than the paper', () => {
  const nodes: TlvNode[] = [
    ...common(7),
    { tag: 1062, value: 1 | 2 },
    { tag: 1056, value: 0 },
    { tag: 1002, value: 0 },
    { tag: 1001, value: 1 },
    { tag: 1017, value: '7704211201' },
    { tag: 1290, value: (1 << 5) | (1 << 8) | (1 << 12) },
    { tag: 1190, value: 4 },
    { tag: 1209, value: 4 },
    { tag: 1205, value: (1 << 3) | (1 << 7) | 2 ** 31 },
    { tag: 1048, value: 'ООО "Ромашка"' },
    { tag: 1009, value: 'г. Москва, ул. Льва Толстого, д. 16' },
    { tag: 1013, value: '00000000381001234567' },
    { tag: 1046, value: 'ООО "Такском"' },
    { tag: 1188, value: '0.1.0' },
    { tag: 1189, value: 4 },
    { tag: 1021, value: 'Иванова Мария' },
  ];
  for (const columns of [48, 32]) {
    const lines = paper(FD_TYPE.reregistration, nodes, columns);
    assert.ok(lines.every((l) => l.length <= columns), `fits ${columns} columns:\n${lines.join('\n')}`);
  }
  const lines = paper(FD_TYPE.reregistration, nodes);
  const text = lines.join('\n');
  for (const [label, value] of [
    ['КАССИР', 'Иванова Мария'],
    ['ЗН ККТ', '00000000381001234567'],
    ['СНО', 'ОСН, УСН доход'],
    ['АВТОНОМН. РЕЖИМ', 'НЕТ'],
    ['ШИФРОВАНИЕ', 'НЕТ'],
    ['АВТОМАТ. РЕЖИМ', 'ДА'],
    ['ОФД', 'ООО "Такском"'],
    ['ИНН ОФД', '7704211201'],
    ['ВЕРСИЯ ККТ', '0.1.0'],
    ['ВЕРСИЯ ФФД ККТ', '1.2'],
    ['ВЕРСИЯ ФФД ФН', '1.2'],
    ['ВЕРСИЯ ФФД', '1.2'],
    ['РАСЧЕТЫ В ИНТЕРНЕТ', 'ДА'],
    ['МАРКИРОВАННЫЕ ТОВАРЫ', 'ДА'],
    ['ЛОМБАРД', 'ДА'],
    ['ПРИЧИНА', 'ИЗМЕНЕНИЕ АДРЕСА И (ИЛИ) МЕСТА УСТАНОВКИ ККТ'],
    ['ПРИЧИНА', 'ИЗМЕНЕНИЕ ПЕРЕЧНЯ СИСТЕМ НАЛОГООБЛОЖЕНИЯ'],
    ['ПРИЧИНА', 'ИНЫЕ ПРИЧИНЫ'],
    ['РН ККТ', '0000000001048928'],
    ['ФН', '9999078900005488'],
    ['ФД', '7'],
    ['ФП', '123456789'],
  ] as const) assert.ok(row(lines, label, value), `${label} … ${value} in\n${text}`);
  assert.not.match(text, /ОБЩЕПИТ|ЛОТЕРЕИ|АЗАРТНЫЕ|СТРАХОВАНИЕ/, 'a 1290 bit that is not set is not printed');
  assert.not.match(text, /^СМЕНА/m, 'a registration report belongs to no shift');
  assert.not.match(text, /КОПИЯ/);
});

it('FFD 1.05 re-registration: the mode tags and the one reason code (1101)', () => {
  const lines = paper(FD_TYPE.reregistration, [...common(3), { tag: 1062, value: 4 }, { tag: 1108, value: 1 }, { tag: 1109, value: 0 }, { tag: 1221, value: 0 }, { tag: 1101, value: 2 }, { tag: 1209, value: 2 }]);
  assert.ok(row(lines, 'СНО', 'УСН доход - расход'));
  assert.ok(row(lines, 'РАСЧЕТЫ В ИНТЕРНЕТ', 'ДА'));
  assert.ok(row(lines, 'ПРИЧИНА', 'ЗАМЕНА ОФД'));
  assert.ok(row(lines, 'ВЕРСИЯ ФФД', '1.05'));
  assert.not.ok(lines.some((l) => l.startsWith('ТОЛЬКО УСЛУГИ') || l.startsWith('ПРИНТЕР В АВТОМАТЕ')), 'unset 1.05 mode tags are not printed');
});

it('the close-FN report: its shift, cashier and the backlog counters the document carries', () => {
  const lines = paper(FD_TYPE.closeFn, [...common(40), { tag: 1038, value: 12 }, { tag: 1021, value: 'Иванова Мария' }, { tag: 1097, value: 0 }]);
  assert.ok(lines.includes('ОТЧЕТ О ЗАКРЫТИИ ФИСКАЛЬНОГО НАКОПИТЕЛЯ'));
  assert.ok(row(lines, 'СМЕНА', '12'));
  assert.ok(row(lines, 'КАССИР', 'Иванова Мария'));
  assert.ok(row(lines, 'НЕПЕРЕДАННЫХ ФД', '0'));
  assert.not.ok(lines.some((l) => l.startsWith('СНО') || l.startsWith('ПРИЧИНА')), 'no registration parameters on it');
});

it('other documents print no registration parameters', () => {
  const lines = paper(FD_TYPE.openShift, [...common(2), { tag: 1038, value: 1 }, { tag: 1062, value: 1 }, { tag: 1021, value: 'Иванова Мария' }]);
  assert.not.ok(lines.some((l) => l.startsWith('СНО')));
  assert.is(lines.filter((l) => l.startsWith('КАССИР')).length, 1, 'the shift report prints its cashier once');
});

it('a copy of a settlement-state report without a shift number (no shift open) is printed, with no СМЕНА line', () => {
  const lines = paper(FD_TYPE.stateReport, [...common(61), { tag: 1097, value: 0 }]);
  assert.ok(lines.some((l) => /^ФД +61$/.test(l)), lines.join('\n'));
  assert.not.ok(lines.some((l) => l.startsWith('СМЕНА')));
  const open = paper(FD_TYPE.stateReport, [...common(62), { tag: 1038, value: 4 }]);
  assert.ok(row(open, 'СМЕНА', '4'), 'with a shift open, its number');
  // Documents of a shift still need theirs: a copy is never printed with a made-up number.
  assert.throws(() => paper(FD_TYPE.closeShift, common(63)), /lacks tag 1038/);
});

it.run();
