#!/usr/bin/env python3
"""Writes a VICS 2.0 JSON hash set of N synthetic Media records (issue 6's import benchmark).

Usage: make-vics.py N OUT.json

One record per line: MediaID, Category 1-3, MD5 (upper case) and SHA1 of the record's number,
MediaSize, IsPrecategorized. The digests are of the decimal strings "0", "1", ... so no real
content is described. Deterministic.
"""
import hashlib
import sys


def main() -> None:
    count, path = int(sys.argv[1]), sys.argv[2]
    with open(path, "w") as out:
        out.write('{"@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media", '
                  '"value": [\n')
        for i in range(count):
            md5 = hashlib.md5(str(i).encode()).hexdigest().upper()
            sha1 = hashlib.sha1(str(i).encode()).hexdigest()
            out.write(("" if i == 0 else ",\n")
                      + '{"MediaID": %d, "Category": %d, "MD5": "%s", "SHA1": "%s", "MediaSize": %d, "IsPrecategorized": true}'
                      % (i + 1, 1 + i % 3, md5, sha1, 1000 + i % 50000))
        out.write("\n]}\n")


if __name__ == "__main__":
    main()
