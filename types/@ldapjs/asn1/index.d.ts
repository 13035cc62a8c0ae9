// Minimal declarations for the untyped @ldapjs/asn1 2.x (used by Cairn's protocol tests).
declare module '@ldapjs/asn1' {
  export class BerReader {
    constructor(buffer: Buffer);
    readonly buffer: Buffer;
    /** Length of the field read last. */
    readonly length: number;
    readonly offset: number;
    readonly remain: number;
    peek(): number | null;
    readByte(peek?: boolean): number | null;
    readBoolean(tag?: number): boolean;
    readEnumeration(): number;
    readInt(tag?: number): number;
    readLength(offset?: number): number | null;
    readOID(tag?: number): string | null;
    readRawBuffer(tag: number, advanceOffset?: boolean): Buffer | null;
    readSequence(tag?: number): number | null;
    readString(tag?: number, asBuffer?: false): string | null;
    readString(tag: number, asBuffer: true): Buffer | null;
    readTag(tag: number): Buffer | null;
    sequenceToReader(): BerReader;
    setOffset(position: number): void;
  }

  export class BerWriter {
    constructor(options?: { size?: number; growthFactor?: number });
    readonly buffer: Buffer;
    readonly size: number;
    appendBuffer(buffer: Buffer): void;
    startSequence(tag?: number): void;
    endSequence(): void;
    writeBoolean(value: boolean, tag?: number): void;
    writeBuffer(buffer: Buffer, tag: number): void;
    writeByte(byte: number): void;
    writeEnumeration(value: number, tag?: number): void;
    writeInt(value: number, tag?: number): void;
    writeLength(length: number): void;
    writeNull(): void;
    writeOID(oid: string, tag?: number): void;
    writeString(value: string, tag?: number): void;
    writeStringArray(values: string[]): void;
  }

  export const BerTypes: Readonly<Record<string, number>>;
}
