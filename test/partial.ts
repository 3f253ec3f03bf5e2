// Test helper: a mocked SDK reply needs only the fields the code under test reads.

/** `fields` as a whole T: the fields the test does not set are left out on purpose. */
export const partial = <T>(fields: Partial<T>): T => fields as T;
