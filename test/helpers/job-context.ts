/**
 * The demo registration (device-config/demo.json) as the edge of the register sees it, for
 * tests that parse jobs without starting a runtime.
 */
import type { ValidationContext } from '../../firmware/jobs/job.ts';

export const DEMO_JOB_CONTEXT: ValidationContext = {
  ffd: '1.2',
  inn: '7707083893',
  address: 'г. Москва, ул. Льва Толстого, д. 16',
  place: 'shop.example.ru',
  taxSystems: ['osn', 'usn_income'],
  seller: { name: 'ООО "Ромашка"', email: 'receipts@shop.example.ru', fnsSite: 'www.nalog.gov.ru' },
  defaultCashier: { name: 'Старший кассир' },
  maxPayloadBytes: 64 * 1024,
};
