import type { Config } from '../config';
import type { Logger } from '../log';
import type { PasswordHasher } from '../security/passwords';
import type { Store, StoredEntry } from '../store/types';
import type { Identity } from './identity';
import type { AccessControl } from './acl';
import type { Normalization } from './normalize';
import type { ServerFeatures } from './special-entries';
import type { Clock } from './accounts/clock';

/** What every directory operation works with. */
export interface DirectoryContext {
  store: Store;
  norm: Normalization;
  acl: AccessControl;
  config: Config;
  hasher: PasswordHasher;
  log: Logger;
  namingContext: string;
  namingContextNdn: string;
  features: ServerFeatures;
  startedAt: string;
  /** The time every rule reads (accounts/clock.ts): the system clock, or a test's. */
  now: Clock;
  /**
   * A device credential's NT hash for a search that names cairnNTPassword: set by the accounts engine, which
   * alone decides (an allowed service, a usable credential); undefined: none for this reader and entry.
   */
  deviceNtHash?: (who: Identity, entry: StoredEntry) => Promise<string | undefined>;
  /** The DN of the nearest existing ancestor of a missing entry, for noSuchObject's matchedDN. */
  matchedDN(ndn: string): Promise<string | undefined>;
}
