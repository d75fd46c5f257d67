/** Placeholder. */
export const PACKAGE_NAME = '@org/vmware-events-producer';
