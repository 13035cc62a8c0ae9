import type { AttributeMap } from '../store/types';
import type { Schema } from './schema/registry';

/** What the wire supports, advertised in the root DSE; sssd sends paged results only if it is listed. */
export interface ServerFeatures {
  controls: string[];
  extensions: string[];
  vendorVersion: string;
}

const FEATURES = [
  '1.3.6.1.1.14', // Modify-Increment
  '1.3.6.1.4.1.4203.1.5.1', // all operational attributes: '+'
  '1.3.6.1.4.1.4203.1.5.2', // attributes by object class: '@class'
  '1.3.6.1.4.1.4203.1.5.3', // absolute true and false filters: (&) and (|)
];

export const SUBSCHEMA_DN = 'cn=Subschema';

export function rootDSE(namingContext: string, features: ServerFeatures): AttributeMap {
  return {
    objectClass: ['top', 'OpenLDAProotDSE'],
    namingContexts: [namingContext],
    supportedControl: features.controls,
    supportedExtension: features.extensions,
    supportedFeatures: FEATURES,
    supportedLDAPVersion: ['3'],
    subschemaSubentry: [SUBSCHEMA_DN],
    vendorName: ['Cairn'],
    vendorVersion: [features.vendorVersion],
    entryDN: [''],
  };
}

export function subschemaEntry(schema: Schema, createdAt: string): AttributeMap {
  const v = schema.subschemaValues();
  return {
    objectClass: ['top', 'subentry', 'subschema', 'extensibleObject'],
    cn: ['Subschema'],
    structuralObjectClass: ['subentry'],
    createTimestamp: [createdAt],
    modifyTimestamp: [createdAt],
    entryDN: [SUBSCHEMA_DN],
    subschemaSubentry: [SUBSCHEMA_DN],
    ldapSyntaxes: v.ldapSyntaxes,
    matchingRules: v.matchingRules,
    attributeTypes: v.attributeTypes,
    objectClasses: v.objectClasses,
  };
}
