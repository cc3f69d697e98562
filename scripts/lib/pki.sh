# SPDX-License-Identifier: BSD-3-Clause
# A test PKI for the IKEv2 tests, made with openssl (and strongSwan's pki for
# the CRL). Everything lands in one directory as NAME.crt + NAME.key (PEM,
# keys PKCS#8, unencrypted):
#
#   root-ca        RSA 2048 root "p2sgw Test Root CA"
#   unknown-ca     RSA 2048 root nobody trusts "Unknown Test Root CA"
#   inter-ca       RSA 2048 intermediate under root-ca (pathlen 0)
#   gw             RSA 2048 gateway: CN=gw.p2sgw.test, SAN DNS:gw.p2sgw.test +
#                  IP:198.51.100.1, EKU serverAuth + iKEIntermediate (1.3.6.1.5.5.8.2.2)
#   client-rsa     RSA 2048 client under root-ca
#   client-ecdsa   ECDSA P-256 client under root-ca
#   client-inter   ECDSA P-256 client under inter-ca (peers must send inter-ca.crt)
#   client-unknown ECDSA P-256 client under unknown-ca (must be refused)
#   client-revoked ECDSA P-256 client under root-ca, listed in root-ca.crl
#   client1..N     ECDSA P-256 clients under root-ca (N from pki_init, default 16)
#
# A client NAME has subject CN=NAME@p2sgw.test, O=p2sgw test and SAN
# email:NAME@p2sgw.test; its IKE identity is that e-mail address.
#
#   pki_init DIR [N]                 make all of the above (only what is missing)
#   pki_client DIR NAME ISSUER [rsa|ec]   one client certificate NAME under ISSUER
#   pki_id NAME                      the IKE identity of client NAME (NAME@p2sgw.test)
#   pki_thumbprint CERT              SHA-1 of the DER certificate, lowercase hex
#   pki_crl DIR                      DIR/root-ca.crl revoking client-revoked
#
# It is idempotent: an existing NAME.crt/NAME.key pair is kept, so a second
# pki_init is instant. Remove DIR to start over.
# shellcheck shell=bash

PKI_DOMAIN=${PKI_DOMAIN:-p2sgw.test}
PKI_GW_NAME=${PKI_GW_NAME:-gw.$PKI_DOMAIN}
PKI_GW_IP=${PKI_GW_IP:-198.51.100.1}
PKI_DAYS=${PKI_DAYS:-3650}

pki_id() { echo "$1@$PKI_DOMAIN"; }

pki_thumbprint() {
	openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'
}

# _pki_cnf DIR: the openssl configuration with one extension section a kind.
_pki_cnf() {
	local cnf=$1/.openssl.cnf
	[ -f "$cnf" ] && return 0
	cat >"$cnf" <<'CNF'
[ req ]
distinguished_name = dn
[ dn ]
[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_inter ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_gw ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, 1.3.6.1.5.5.8.2.2
subjectAltName = DNS:$ENV::PKI_SAN_DNS, IP:$ENV::PKI_SAN_IP
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_client ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectAltName = email:$ENV::PKI_SAN_EMAIL
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
}

# _pki_key FILE rsa|ec: a new private key (PKCS#8 PEM) unless FILE exists.
_pki_key() {
	[ -s "$1" ] && return 0
	case $2 in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null ;;
	*) echo "pki: key type '$2'?" >&2; return 1 ;;
	esac
	chmod 600 "$1"
}

# _pki_issue DIR NAME ISSUER KIND SUBJECT KEYTYPE: NAME.crt signed by ISSUER
# (ISSUER = NAME: self-signed root), extensions from section v3_KIND.
_pki_issue() {
	local dir=$1 name=$2 issuer=$3 kind=$4 subj=$5 ktype=$6
	[ -s "$dir/$name.crt" ] && [ -s "$dir/$name.key" ] && return 0
	_pki_cnf "$dir"
	_pki_key "$dir/$name.key" "$ktype" || return 1
	local serial
	serial=0x$(openssl rand -hex 8)
	if [ "$issuer" = "$name" ]; then
		openssl req -config "$dir/.openssl.cnf" -new -x509 -key "$dir/$name.key" -subj "$subj" \
			-days "$PKI_DAYS" -sha256 -set_serial "$serial" -extensions "v3_$kind" \
			-out "$dir/$name.crt" 2>"$dir/.err" || { cat "$dir/.err" >&2; return 1; }
	else
		openssl req -config "$dir/.openssl.cnf" -new -key "$dir/$name.key" -subj "$subj" \
			-out "$dir/$name.csr" 2>"$dir/.err" &&
			openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$issuer.crt" -CAkey "$dir/$issuer.key" \
				-set_serial "$serial" -days "$PKI_DAYS" -sha256 -extfile "$dir/.openssl.cnf" \
				-extensions "v3_$kind" -out "$dir/$name.crt" 2>"$dir/.err" ||
			{ cat "$dir/.err" >&2; return 1; }
		rm -f "$dir/$name.csr"
	fi
}

pki_client() {
	local dir=$1 name=$2 issuer=$3 ktype=${4:-ec}
	PKI_SAN_EMAIL=$(pki_id "$name") PKI_SAN_DNS=- PKI_SAN_IP=- \
		_pki_issue "$dir" "$name" "$issuer" client "/O=p2sgw test/CN=$(pki_id "$name")" "$ktype"
}

pki_init() {
	local dir=$1 n=${2:-16} i
	mkdir -p "$dir" || return 1
	# A new root invalidates whatever was issued under an old one.
	if [ ! -s "$dir/root-ca.crt" ] || [ ! -s "$dir/root-ca.key" ]; then
		rm -f "$dir"/*.crt "$dir"/*.key "$dir"/*.crl
	fi
	export PKI_SAN_DNS=$PKI_GW_NAME PKI_SAN_IP=$PKI_GW_IP PKI_SAN_EMAIL=-
	_pki_issue "$dir" root-ca root-ca root "/O=p2sgw test/CN=p2sgw Test Root CA" rsa &&
		_pki_issue "$dir" unknown-ca unknown-ca root "/O=elsewhere/CN=Unknown Test Root CA" rsa &&
		_pki_issue "$dir" inter-ca root-ca inter "/O=p2sgw test/CN=p2sgw Test Intermediate CA" rsa &&
		_pki_issue "$dir" gw root-ca gw "/O=p2sgw test/CN=$PKI_GW_NAME" rsa &&
		pki_client "$dir" client-rsa root-ca rsa &&
		pki_client "$dir" client-ecdsa root-ca ec &&
		pki_client "$dir" client-inter inter-ca ec &&
		pki_client "$dir" client-unknown unknown-ca ec &&
		pki_client "$dir" client-revoked root-ca ec || return 1
	for i in $(seq 1 "$n"); do
		pki_client "$dir" "client$i" root-ca ec || return 1
	done
	pki_crl "$dir"
}

pki_crl() {
	local dir=$1
	[ -s "$dir/root-ca.crl" ] && return 0
	pki --signcrl --cacert "$dir/root-ca.crt" --cakey "$dir/root-ca.key" --lifetime 30 \
		--cert "$dir/client-revoked.crt" --reason key-compromise --outform pem \
		>"$dir/root-ca.crl" 2>"$dir/.err" || { cat "$dir/.err" >&2; rm -f "$dir/root-ca.crl"; return 1; }
}
