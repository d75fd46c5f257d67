/** Placeholder until the schema package lands. */
export const PACKAGE_NAME = '@org/vmware-events-schema';
