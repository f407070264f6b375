export * from './crc16';
export * from './fieldScales';
export * from './frameLayout';
export * from './frames';
export * from './frameReader';
export * from './faults';
export * from './feedbackAssembler';
