import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompatDirectory } from './directory';
import { fillTemplate, readTemplate } from './templates';
import { freePort } from '../../helpers/server';
import { PrivateHost } from './host';

export const RADIUS_SECRET = 'compat-radius-secret';

export interface RadiusServer {
  host: PrivateHost;
  port: number;
  /** The folder of the configuration (eapol_test's network settings go there too). */
  folder: string;
  certificate: string;
}

/** The frame around Cairn's own configuration (config/clients/freeradius-*): paths, logging, one client. */
function radiusdConf(folder: string): string {
  return `prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = ${folder}/log
raddbdir = ${folder}
radacctdir = ${folder}/log
name = freeradius
confdir = ${folder}
modconfdir = /etc/freeradius/3.0/mods-config
certdir = ${folder}
cadir = ${folder}
run_dir = /run/freeradius
db_dir = ${folder}
libdir = /usr/lib/freeradius
pidfile = /run/freeradius/radiusd.pid
max_request_time = 30
cleanup_delay = 0
max_requests = 1024
hostname_lookups = no
log {
  destination = stdout
  colourise = no
  auth = yes
}
security {
  allow_core_dumps = no
  max_attributes = 200
  reject_delay = 0
  status_server = no
}
thread pool {
  start_servers = 2
  max_servers = 4
  min_spare_servers = 1
  max_spare_servers = 3
  max_requests_per_server = 0
}
modules {
  $INCLUDE mods-enabled/
}
client loopback {
  ipaddr = 127.0.0.1
  secret = ${RADIUS_SECRET}
}
$INCLUDE sites-enabled/
`;
}

/** EAP with TTLS (inner PAP) and PEAP (inner MSCHAPv2), checked by the inner-tunnel server, with a certificate the test makes. */
function eapConf(folder: string): string {
  return `eap {
  default_eap_type = ttls
  timer_expire = 60
  ignore_unknown_eap_types = no
  max_sessions = 64
  tls-config tls-common {
    private_key_file = ${folder}/radius.key
    certificate_file = ${folder}/radius.pem
    ca_file = ${folder}/radius.pem
    cipher_list = "DEFAULT"
    tls_min_version = "1.2"
    tls_max_version = "1.2"
  }
  ttls {
    tls = tls-common
    virtual_server = "inner-tunnel"
    use_tunneled_reply = yes
  }
  peap {
    tls = tls-common
    default_eap_type = mschapv2
    virtual_server = "inner-tunnel"
    use_tunneled_reply = yes
  }
  mschapv2 {
  }
}
`;
}

/** FreeRADIUS 3 with rlm_ldap against Cairn, in its own namespace, on a loopback port. */
export async function startFreeradius(directory: CompatDirectory): Promise<RadiusServer> {
  const host = await PrivateHost.create('freeradius');
  const folder = host.root;
  const port = await freePort();
  for (const f of ['mods-enabled', 'sites-enabled', 'log']) mkdirSync(join(folder, f));
  const url = new URL(directory.server.url);
  writeFileSync(join(folder, 'radiusd.conf'), radiusdConf(folder));
  writeFileSync(
    join(folder, 'mods-enabled', 'ldap'),
    fillTemplate(readTemplate('freeradius-ldap'), { ...directory.clientValues('radius'), HOST: url.hostname, PORT: url.port }),
  );
  writeFileSync(join(folder, 'mods-enabled', 'eap'), eapConf(folder));
  writeFileSync(join(folder, 'mods-enabled', 'always'), 'always reject {\n  rcode = reject\n}\n');
  writeFileSync(join(folder, 'mods-enabled', 'mschap'), 'mschap {\n}\n');
  writeFileSync(join(folder, 'mods-enabled', 'pap'), 'pap {\n  normalise = yes\n}\n');
  writeFileSync(join(folder, 'sites-enabled', 'cairn'), fillTemplate(readTemplate('freeradius-site'), { LISTEN_ADDRESS: '127.0.0.1', LISTEN_PORT: port }));
  const certificate = join(folder, 'radius.pem');
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=radius.compat.test',
      '-keyout',
      join(folder, 'radius.key'),
      '-out',
      certificate,
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl: ${made.stderr}`);
  host.mustRun('install', ['-d', '/run/freeradius']);
  host.daemon('freeradius', 'freeradius', ['-X', '-d', folder]);
  await host.waitFor('freeradius', () => host.output('freeradius').includes('Ready to process requests'));
  return { host, port, folder, certificate };
}

export interface RadiusAnswer {
  accepted: boolean;
  text: string;
}

/** An Access-Request with radclient, as a Wi-Fi access point or VPN concentrator sends it (PAP). */
export function accessRequest(radius: RadiusServer, attributes: Record<string, string>): RadiusAnswer {
  const pairs = Object.entries(attributes)
    .map(([k, v]) => `${k} = "${v.replace(/(["\\])/g, '\\$1')}"`)
    .join('\n');
  const r = spawnSync('radclient', ['-x', '-r', '1', '-t', '10', `127.0.0.1:${radius.port}`, 'auth', RADIUS_SECRET], {
    input: pairs + '\n',
    encoding: 'utf8',
    timeout: 30000,
  });
  const text = `${r.stdout}\n${r.stderr}`;
  return { accepted: /Received Access-Accept/.test(text), text };
}

/** radtest, the one-line PAP test the FreeRADIUS documentation starts with. */
export function radtest(radius: RadiusServer, user: string, password: string): RadiusAnswer {
  const r = spawnSync('radtest', [user, password, `127.0.0.1:${radius.port}`, '0', RADIUS_SECRET], { encoding: 'utf8', timeout: 30000 });
  const text = `${r.stdout}\n${r.stderr}`;
  return { accepted: /Received Access-Accept/.test(text), text };
}

/**
 * 802.1X as a device joining the Wi-Fi, by wpa_supplicant's eapol_test: EAP-TTLS with PAP inside, or PEAP
 * with MSCHAPv2 inside (what a phone or laptop does with nothing but a user name and password).
 */
export function eapolTest(radius: RadiusServer, user: string, password: string, method: 'ttls-pap' | 'peap-mschapv2' = 'ttls-pap'): RadiusAnswer {
  const conf = join(radius.folder, `eapol-${user}-${Date.now()}.conf`);
  const inner = method === 'ttls-pap' ? '  eap=TTLS\n  phase2="auth=PAP"' : '  eap=PEAP\n  phase1="peaplabel=0"\n  phase2="auth=MSCHAPV2"';
  writeFileSync(
    conf,
    `network={
  key_mgmt=WPA-EAP
${inner}
  identity="${user}"
  anonymous_identity="anonymous"
  password="${password}"
  ca_cert="${radius.certificate}"
}
`,
  );
  const r = spawnSync('eapol_test', ['-c', conf, '-a', '127.0.0.1', '-p', String(radius.port), '-s', RADIUS_SECRET, '-t', '15'], {
    encoding: 'utf8',
    timeout: 60000,
  });
  const text = `${r.stdout}\n${r.stderr}`;
  writeFileSync(`${conf}.log`, text);
  return { accepted: r.status === 0 && /^SUCCESS$/m.test(text), text: text.slice(-3000) };
}
