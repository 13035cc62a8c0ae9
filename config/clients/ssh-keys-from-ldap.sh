#!/bin/sh
# sshd AuthorizedKeysCommand without sssd: prints the sshPublicKey values of the user named by $1.
# Install root-owned, mode 0755, in a folder only root can write (sshd refuses it otherwise), e.g.
#   AuthorizedKeysCommand /usr/local/sbin/ssh-keys-from-ldap %u
#   AuthorizedKeysCommandUser nobody
# Replace each placeholder: @URI@, @BASE@, @BIND_DN@ (a service account), @PASSWORD_FILE@ its password (readable
# by the AuthorizedKeysCommandUser only), @CA_FILE@.
set -eu
case "$1" in
  *[!a-z0-9._-]*|'') exit 1 ;;
esac
LDAPCONF=/dev/null LDAPTLS_CACERT='@CA_FILE@' LDAPTLS_REQCERT=demand \
  ldapsearch -LLL -o ldif-wrap=no -ZZ -x -H '@URI@' -D '@BIND_DN@' -y '@PASSWORD_FILE@' \
  -b 'ou=people,@BASE@' "(&(objectClass=posixAccount)(uid=$1))" sshPublicKey |
  while IFS= read -r line; do
    case "$line" in
      'sshPublicKey:: '*) printf '%s\n' "${line#sshPublicKey:: }" | base64 -d; echo ;;
      'sshPublicKey: '*) printf '%s\n' "${line#sshPublicKey: }" ;;
    esac
  done
