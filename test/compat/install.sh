#!/bin/sh
# Installs the real clients the compatibility suite runs, without leaving the
# machine's own NSS or PAM configuration changed and without starting services.
set -eu

PACKAGES="sssd-ldap sssd-tools libnss-sss libpam-sss nslcd libnss-ldapd libpam-ldapd
freeradius freeradius-ldap freeradius-utils eapoltest openssh-server openssh-client
oathtool ldap-utils pamtester sshpass util-linux"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

backup=$(mktemp -d)
$SUDO cp -a /etc/nsswitch.conf "$backup/nsswitch.conf"
ls /usr/share/pam-configs > "$backup/pam-configs" 2>/dev/null || true

# Package scripts must not start sssd, nslcd, freeradius or sshd on the machine.
created_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod 755 /usr/sbin/policy-rc.d
  created_policy=yes
fi

restore() {
  # libpam-sss and libpam-ldapd (and libpam-pwquality, which sssd pulls in) add themselves to
  # /etc/pam.d/common-*; libnss-* add themselves to nsswitch.conf.
  added=""
  [ -s "$backup/pam-configs" ] && added=$(ls /usr/share/pam-configs | grep -vxF -f "$backup/pam-configs" || true)
  $SUDO pam-auth-update --package --remove sss ldap $added || true
  $SUDO cp -a "$backup/nsswitch.conf" /etc/nsswitch.conf || true
  if [ -n "$created_policy" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
  rm -rf "$backup"
}
trap restore EXIT

echo "compat: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
