import { describe, expect, it } from 'vitest';
import { formatMinorUnits, InvalidAmount, toMinorUnits } from '../src/index.js';

describe('money: minor units inside, decimal strings at the edge', () => {
  it('parses UK OB amounts into pence', () => {
    expect(toMinorUnits('10.00', 'GBP')).toBe(1000);
    expect(toMinorUnits('10.5', 'GBP')).toBe(1050);
    expect(toMinorUnits('7', 'GBP')).toBe(700);
    expect(toMinorUnits('0.01', 'GBP')).toBe(1);
    expect(toMinorUnits('12.34000', 'GBP')).toBe(1234);
  });

  it('refuses amounts a pound cannot hold, zero, negatives and junk', () => {
    for (const bad of ['10.001', '0', '0.00', '-1.00', '1e3', '10,00', '', ' 1.00', '1.']) {
      expect(() => toMinorUnits(bad, 'GBP'), bad).toThrow(InvalidAmount);
    }
    expect(() => toMinorUnits('1.00', 'XYZ')).toThrow(InvalidAmount);
  });

  it('formats pence as a two-decimal string without a sign', () => {
    expect(formatMinorUnits(1050, 'GBP')).toBe('10.50');
    expect(formatMinorUnits(7, 'GBP')).toBe('0.07');
    expect(formatMinorUnits(-123456, 'GBP')).toBe('1234.56');
    expect(formatMinorUnits(0, 'GBP')).toBe('0.00');
  });
});
