import { expect } from 'chai';
import { BASE, initData, ldapTool, removeData, startServer, type RunningServer, asAdmin } from '../helpers/server';
import { childrenOf } from '../helpers/processes';

describe('several server workers', function () {
  this.timeout(60000);
  let server: RunningServer;
  const admin = () => asAdmin(server.url);

  before(async () => {
    server = await startServer(initData(), { CAIRN_SERVER_WORKERS: '3' });
  });
  after(async () => {
    await server.stop();
    removeData(server.data);
  });

  it('runs the configured number of worker processes', () => {
    expect(childrenOf(server.process.pid!)).to.have.length(3);
  });

  it('a write on one connection is seen at once on new connections, whichever worker they reach', () => {
    for (let i = 0; i < 12; i++) {
      const dn = `cn=w${i},ou=groups,${BASE}`;
      const add = ldapTool('ldapadd', admin(), `dn: ${dn}\nobjectClass: groupOfNames\nobjectClass: posixGroup\ncn: w${i}\ngidNumber: ${40000 + i}\n`);
      expect(add.status, add.stderr).to.equal(0);
      for (let j = 0; j < 3; j++) {
        const read = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', dn, '-s', 'base', 'gidNumber']);
        expect(read.stdout, `read ${j} after add ${i}`).to.include(`gidNumber: ${40000 + i}`);
      }
      const mod = ldapTool('ldapmodify', admin(), `dn: ${dn}\nchangetype: modify\nreplace: gidNumber\ngidNumber: ${41000 + i}\n`);
      expect(mod.status, mod.stderr).to.equal(0);
      for (let j = 0; j < 3; j++) {
        const read = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', dn, '-s', 'base', 'gidNumber']);
        expect(read.stdout, `read ${j} after modify ${i}`).to.include(`gidNumber: ${41000 + i}`);
      }
      const del = ldapTool('ldapdelete', [...admin(), dn]);
      expect(del.status, del.stderr).to.equal(0);
      const gone = ldapTool('ldapsearch', [...admin(), '-b', dn, '-s', 'base']);
      expect(gone.status, `read after delete ${i}`).to.equal(32);
    }
  });

  it('stops every worker on SIGTERM', async () => {
    const workers = childrenOf(server.process.pid!);
    expect(await server.stop()).to.equal(0);
    for (const pid of workers) expect(() => process.kill(pid, 0), `worker ${pid}`).to.throw();
  });
});
