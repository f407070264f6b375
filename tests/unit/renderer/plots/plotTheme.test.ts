import { describe, expect, it } from 'vitest';
import { commandedColor } from '../../../../src/renderer/src/components/plots/plotTheme';

describe('commandedColor', () => {
  it('mixes a joint colour toward white', () => {
    expect(commandedColor('#000000')).toBe('rgb(128, 128, 128)');
    expect(commandedColor('#3fcf8e', 0)).toBe('rgb(63, 207, 142)');
    expect(commandedColor('#3fcf8e', 1)).toBe('rgb(255, 255, 255)');
  });
});
