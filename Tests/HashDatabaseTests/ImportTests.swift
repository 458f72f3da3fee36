import Foundation
import Glibc
import HashDatabase
import Testing
import TriageCore
import TriageTestSupport

/// Facts about the fixtures, from `Fixtures/expected/fixture-facts.json`.
struct FixtureFile {
    var md5: [UInt8]
    var sha1: [UInt8]
    var sha256: [UInt8]

    static func named(_ relative: String) -> FixtureFile {
        let bytes = TestPaths.bytes(TestPaths.evidence + "/" + relative)
        precondition(!bytes.isEmpty, "fixture \(relative) missing")
        let digests = HashTestDigests.of(bytes)
        return FixtureFile(md5: digests.md5, sha1: digests.sha1, sha256: digests.sha256)
    }

    var digests: Digests { Digests(md5: md5, sha1: sha1, sha256: sha256) }
}


@Suite struct ImportTests {
    let temp = TemporaryDirectory()
    var database: SQLiteHashDatabase { try! SQLiteHashDatabase(path: temp.url("hashdb.sqlite")) }
    func hashset(_ name: String) -> String { TestPaths.hashsets + "/" + name }

    @Test func vics2ImportsMediaInsideCasesAndMapsCategories() throws {
        let db = database
        let outcome = try HashSetImporter(store: db).importFile(hashset("known-vics2.json"))
        #expect(outcome.format == "vics")
        let records = FixtureFacts.records("known-vics2.json")
        #expect(outcome.record.counts.read == records.count)
        #expect(outcome.record.counts.added == records.count)
        #expect(outcome.problems.isEmpty)
        let info = try db.info()
        for category in Category.allCases {
            #expect(info.perCategory[category] ?? 0 == records.filter { $0["category"] as? String == category.rawValue }.count)
        }
        #expect(info.pdqEntries == records.filter { $0["pdq"] is String }.count)
        // IMG_0001 is code 1 → A; found by SHA-1 and by MD5 (both in the set), strongest first.
        let result = try db.lookup(FixtureFile.named("exhibit-1/DCIM/100CAM/IMG_0001.jpg").digests)
        #expect(result == .found([KnownMatch(category: .a, basis: .exact, hashType: .sha1, source: "known-vics2.json"),
                                  KnownMatch(category: .a, basis: .exact, hashType: .md5, source: "known-vics2.json")]))
        #expect(try db.lookup(FixtureFile.named("exhibit-1/Documents/scan.bmp").digests) == .notFound)
    }

    @Test func vics1WithStringCategories() throws {
        let db = database
        let outcome = try HashSetImporter(store: db).importFile(hashset("known-vics1.json"))
        #expect(outcome.record.counts.added == 2)
        guard case .found(let matches) = try db.lookup(FixtureFile.named("exhibit-1/Downloads/tile.webp").digests) else {
            Issue.record("tile.webp should be known"); return
        }
        #expect(Set(matches.map(\.category)) == [.b])
    }

    @Test func reImportAddsNothing() throws {
        let db = database
        _ = try HashSetImporter(store: db).importFile(hashset("known-vics2.json"))
        let again = try HashSetImporter(store: db).importFile(hashset("known-vics2.json"))
        #expect(again.record.counts.added == 0)
        #expect(again.record.counts.alreadyPresent == FixtureFacts.records("known-vics2.json").count)
        #expect(try db.info().entries == FixtureFacts.records("known-vics2.json").count)
    }

    @Test func digestListsNeedACategoryAndTakeIt() throws {
        let db = database
        #expect(throws: HashDatabaseError.self) { try HashSetImporter(store: db).importFile(hashset("known.md5")) }
        let outcome = try HashSetImporter(store: db).importFile(hashset("known.md5"), category: .c)
        #expect(outcome.format == "md5sum")
        #expect(outcome.record.counts.added == 3)
        #expect(throws: HashDatabaseError.self) { try HashSetImporter(store: db).importFile(hashset("absent.md5"), category: .c) }
        let sha256 = try HashSetImporter(store: db).importFile(hashset("known.sha256"), category: .b)
        #expect(sha256.record.counts.added == 1)
        let grey = FixtureFile.named("exhibit-1/Pictures/holiday/sunset-grey.png")
        #expect(try db.lookup(grey.digests) == .found([KnownMatch(category: .b, basis: .exact, hashType: .sha256, source: "known.sha256")]))
    }

    @Test func csvWithAHeaderNamesItsColumns() throws {
        let db = database
        let gradient = FixtureFile.named("exhibit-1/DCIM/100CAM/IMG_0001.jpg")
        let checker = FixtureFile.named("exhibit-1/DCIM/100CAM/IMG_0002.jpg")
        let stripes = FixtureFile.named("exhibit-1/Pictures/holiday/beach.png")
        // ICSE-style: `;`, a BOM, quoted names holding the delimiter, mixed-case hex, a bad row, an empty category.
        let icse = temp.url("icse.csv")
        let text = "\u{feff}\"File Name\";MD5;SHA1;Category\r\n"
            + "\"a;b.jpg\";\(Hex.encode(gradient.md5).uppercased());\(Hex.encode(gradient.sha1));1\r\n"
            + "c.jpg;\(Hex.encode(checker.md5));;3\r\n"
            + "bad.jpg;12345;;1\r\n"
            + "d.png;\(Hex.encode(stripes.md5));;\r\n"
        FileManager.default.createFile(atPath: icse, contents: Data(text.utf8))
        let outcome = try HashSetImporter(store: db).importFile(icse, format: "csv", category: .b)
        #expect(outcome.record.counts.read == 4 && outcome.record.counts.added == 3 && outcome.record.counts.rejected == 1)
        #expect(outcome.problems.first?.location == "line 4")
        #expect(try db.lookup(gradient.digests) == .found([
            KnownMatch(category: .a, basis: .exact, hashType: .sha1, source: "icse.csv"),
            KnownMatch(category: .a, basis: .exact, hashType: .md5, source: "icse.csv"),
        ]))
        #expect(try db.lookup(checker.digests) == .found([KnownMatch(category: .c, basis: .exact, hashType: .md5, source: "icse.csv")]))
        #expect(try db.lookup(stripes.digests) == .found([KnownMatch(category: .b, basis: .exact, hashType: .md5, source: "icse.csv")]),
                "a row without a category takes --category")

        // HashKeeper-style: a `hash` column whose length says MD5, no categories.
        let hsh = temp.url("set.hsh")
        FileManager.default.createFile(atPath: hsh, contents: Data(
            "\"file_id\",\"hashset_id\",\"file_name\",\"directory\",\"hash\",\"file_size\"\n1,7,\"x.jpg\",\"C:\\\",\"\(Hex.encode(checker.md5))\",1151\n".utf8))
        #expect(try HashSetImporter(store: db).importFile(hsh, format: "csv", category: .c).record.counts.added == 1)
        // A header without any digest column is refused before anything is imported.
        let none = temp.url("none.csv")
        FileManager.default.createFile(atPath: none, contents: Data("name,size\na,1\n".utf8))
        #expect(throws: HashDatabaseError.self) { try HashSetImporter(store: db).importFile(none, format: "csv", category: .c) }
    }

    @Test func hashdeepFiles() throws {
        let db = database
        let outcome = try HashSetImporter(store: db).importFile(hashset("known.hashdeep"), category: .a)
        #expect(outcome.format == "hashdeep")
        #expect(outcome.record.counts.added == 2)
        guard case .found(let matches) = try db.lookup(FixtureFile.named("exhibit-1/Documents/plate.tiff").digests) else {
            Issue.record("plate.tiff should be known"); return
        }
        #expect(matches.first?.hashType == .sha256)
    }

    @Test func importReadsTheFileOnceSoAPipeWorks() throws {
        let db = database
        let fifo = temp.url("stream.md5")
        #expect(mkfifo(fifo, 0o644) == 0)
        let contents = TestPaths.bytes(hashset("known.md5"))
        Thread.detachNewThread {
            let fd = open(fifo, O_WRONLY)  // blocks until the importer opens the other end
            _ = contents.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        let outcome = try HashSetImporter(store: db).importFile(fifo, category: .c)
        #expect(outcome.record.counts.added == 3)
        let expected = String(shell("sha256sum '\(hashset("known.md5"))'").output.prefix(64))
        #expect(outcome.record.counts.fileSHA256 == expected)
    }

    @Test func hashdeepWithoutColumnsIsAnErrorNotACrash() throws {
        let file = temp.url("empty-columns.hashdeep")
        try "%%%% HASHDEEP-1.0\n%%%% \n12,abc\n".write(toFile: file, atomically: true, encoding: .utf8)
        do {
            _ = try HashSetImporter(store: database).importFile(file, category: .c)
            Issue.record("expected an error")
        } catch let error as HashDatabaseError {
            #expect(error.message.contains("line 2"))
        }
    }

    @Test func malformedLineIsReportedWithItsNumberAndTheRestImported() throws {
        let db = database
        let outcome = try HashSetImporter(store: db).importFile(hashset("bad/malformed-line.md5"), category: .c)
        #expect(outcome.problems.count == 1)
        #expect(outcome.problems[0].location == "line 3")
        #expect(outcome.problems[0].message.contains("zzzz-not-hex"))
        #expect(outcome.record.counts.rejected == 1)
        #expect(outcome.record.counts.added >= 2)
        let counts = outcome.record.counts
        #expect(counts.read == counts.added + counts.alreadyPresent + counts.rejected)
    }

    @Test func notJSONAtAllIsAClearError() throws {
        let db = database
        do {
            _ = try HashSetImporter(store: db).importFile(hashset("bad/not-json.json"))
            Issue.record("expected an error")
        } catch let error as HashDatabaseError {
            #expect(error.message.contains("cannot tell the hash-set format"))
            #expect(error.message.contains("--format"))
        }
        do {
            _ = try HashSetImporter(store: db).importFile(hashset("bad/not-json.json"), format: "vics")
            Issue.record("expected an error")
        } catch let error as HashDatabaseError {
            #expect(error.message.contains("not valid VICS JSON"))
            #expect(error.message.contains("line 1"))
        }
        #expect(try db.info().entries == 0)
    }

    @Test func vicsOddsAndEnds() throws {
        // A BOM, a category as a string, mixed-case hex, string booleans, a null and an absent Category.
        let gradient = FixtureFile.named("exhibit-1/DCIM/100CAM/IMG_0001.jpg")
        let checker = FixtureFile.named("exhibit-1/DCIM/100CAM/IMG_0002.jpg")
        let md5 = Hex.encode(gradient.md5)
        let mixed = String(md5.prefix(16)).uppercased() + String(md5.dropFirst(16))
        let json = "{\"@odata.context\": \"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Cases\", "
            + "\"value\": [{\"Media\": [{\"MediaID\": 1, \"Category\": \"2\", \"MD5\": \"\(mixed)\", \"IsPrecategorized\": \"true\"}, "
            + "{\"MediaID\": 2, \"Category\": null, \"MD5\": \"\(Hex.encode(checker.md5))\"}, {\"MediaID\": 3, \"SHA1\": \"\(Hex.encode(checker.sha1))\"}]}]}"
        let path = temp.url("odd.json")
        FileManager.default.createFile(atPath: path, contents: Data([0xEF, 0xBB, 0xBF] + Array(json.utf8)))
        let db = database
        let strict = try HashSetImporter(store: db).importFile(path)
        #expect(strict.format == "vics")
        #expect(strict.record.counts.added == 1 && strict.record.counts.rejected == 2)
        #expect(strict.problems.map(\.location) == ["record 2 (MediaID 2)", "record 3 (MediaID 3)"])
        #expect(try db.lookup(gradient.digests) == .found([KnownMatch(category: .b, basis: .exact, hashType: .md5, source: "odd.json")]))
        // With --category the records without one take it.
        let other = try SQLiteHashDatabase(path: temp.url("other.sqlite"))
        #expect(try HashSetImporter(store: other).importFile(path, category: .c).record.counts.added == 3)
    }

    @Test func truncatedJSONKeepsTheRecordsBeforeTheBreak() throws {
        let db = database
        let outcome = try HashSetImporter(store: db).importFile(hashset("bad/truncated.json"))
        #expect(outcome.record.counts.added == 1, "the one complete record before the cut")
        #expect(outcome.problems.count == 1)
        #expect(outcome.problems[0].location.hasPrefix("line 21 (byte "))
        #expect(outcome.problems[0].message.contains("cut short or damaged"))
        let gradient = FixtureFile.named("exhibit-1/DCIM/100CAM/IMG_0001.jpg")
        if case .found(let matches) = try db.lookup(gradient.digests) {
            #expect(matches.allSatisfy { $0.category == .a })
        } else {
            Issue.record("the record before the break was not imported")
        }
        // JSON that breaks before any record is still refused whole.
        let early = temp.url("early.json")
        FileManager.default.createFile(atPath: early, contents: Data("{\"@odata.context\": \"x\", \"value\": [ {\"MD5\": \"05".utf8))
        #expect(throws: HashDatabaseError.self) { try HashSetImporter(store: db).importFile(early, format: "vics") }
    }

    @Test func conflictingCategoriesAreKeptAndReported() throws {
        let db = database
        _ = try HashSetImporter(store: db).importFile(hashset("known-vics2.json"))
        let outcome = try HashSetImporter(store: db).importFile(hashset("bad/conflict-vics2.json"))
        #expect(!outcome.record.conflicts.isEmpty)
        #expect(outcome.record.conflicts.allSatisfy { Set($0.categories) == [.a, .b] })
        #expect(outcome.record.conflicts.allSatisfy { Set($0.sources) == ["known-vics2.json", "conflict-vics2.json"] })
        guard case .found(let matches) = try db.lookup(FixtureFile.named("exhibit-1/Pictures/holiday/beach.png").digests) else {
            Issue.record("beach.png should be known"); return
        }
        #expect(Set(matches.map(\.category)) == [.a, .b])
        #expect(try db.info().conflicts > 0)
    }

    @Test func unmappedCodesAreRejectedUntilMapped() throws {
        let db = database
        let file = temp.url("code4.json")
        let md5 = String(repeating: "ab", count: 16)
        try #"{"@odata.context": "x", "value": [{"MediaID": 7, "Category": 4, "MD5": "\#(md5)"}]}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let first = try HashSetImporter(store: db).importFile(file)
        #expect(first.record.counts.rejected == 1)
        #expect(first.problems[0].location == "record 1 (MediaID 7)")
        #expect(first.problems[0].message.contains("category code 4 has no mapping"))
        try db.setCategoryCode("4", to: .n, profile: "uk")
        // A letter stands for itself whatever the table says.
        try db.setCategoryCode("A", to: .c, profile: "uk")
        #expect(try db.categoryMap(profile: "uk").category(forCode: "A") == .a)
        let second = try HashSetImporter(store: db).importFile(file)
        #expect(second.record.counts.added == 1)
        #expect(try db.categoryMap(profile: "uk").codes["4"] == .n)
    }

    @Test func recordWithOnlyEmptyDigestsIsRejectedNotDropped() throws {
        let db = database
        let file = temp.url("empty-digests.json")
        try #"{"@odata.context": "x", "value": [{"MediaID": 3, "Category": 1, "MD5": "", "SHA1": null}, {"MediaID": 4, "MD5": null}]}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let outcome = try HashSetImporter(store: db).importFile(file)
        #expect(outcome.record.counts.rejected == 2)
        #expect(outcome.problems.map(\.location) == ["record 1 (MediaID 3)", "record 2 (MediaID 4)"])
        #expect(outcome.problems.first?.message.contains("empty") == true)
    }

    @Test func md5SumExportIsDistinctAndCountsWhatItCannotHold() throws {
        let db = database
        _ = try HashSetImporter(store: db).importFile(hashset("known-vics2.json"))
        _ = try HashSetImporter(store: db).importFile(hashset("known-vics1.json"))
        _ = try HashSetImporter(store: db).importFile(hashset("known.sha256"), category: .c)
        var lines: [String] = []
        let counts = try MD5SumExporter.export(db, category: nil) { lines.append($0) }
        #expect(counts.skipped == 1)  // the sha256-only entry
        #expect(Set(lines).count == lines.count)
        #expect(lines.count == counts.written)
        #expect(lines == lines.sorted())
        // Distinct (MD5, category) pairs: IMG_0001 is in both sets and listed once.
        let pairs = Set((FixtureFacts.records("known-vics2.json") + FixtureFacts.records("known-vics1.json"))
            .map { "\($0["md5"] as! String) \($0["category"] as! String)" })
        #expect(lines.count == pairs.count)
    }

    @Test func md5SumExportDeduplicatesAcrossOtherDigests() throws {
        let db = database
        let md5 = [UInt8](repeating: 7, count: 16)
        _ = try db.importing(ImportDescription(fileName: "t", format: "test", source: "s")) { add in
            for (seed, category) in [(1, Category.a), (2, .b), (3, .a)] {
                _ = try add(KnownEntry(md5: md5, sha1: [UInt8](repeating: UInt8(seed), count: 20), category: category, source: "s"))
            }
            return ImportCounts()
        }
        var lines: [String] = []
        _ = try MD5SumExporter.export(db, category: nil) { lines.append($0) }
        #expect(lines == ["\(Hex.encode(md5))  A s\n", "\(Hex.encode(md5))  B s\n"])
    }

    @Test func badDigestInARecordIsReported() throws {
        let db = database
        let file = temp.url("bad-md5.json")
        try #"{"odata.metadata": "x", "value": [{"MediaID": 1, "Category": 1, "MD5": "XYZ"}, {"MediaID": 2, "Category": 2, "MD5": "\#(String(repeating: "0", count: 32))"}]}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let outcome = try HashSetImporter(store: db).importFile(file)
        #expect(outcome.record.counts.added == 1)
        #expect(outcome.problems.map(\.location) == ["record 1 (MediaID 1)"])
    }

    @Test func vicsParsesTheSameAcrossAnyChunkBoundary() throws {
        var reference: [HashSetRecord] = []
        try VICSFormat.read(ChunkReader(path: hashset("known-vics2.json")), record: { reference.append($0) }, problem: { _ in })
        #expect(reference.count == FixtureFacts.records("known-vics2.json").count)
        #expect(reference.contains { $0.pdq != nil })
        for chunk in [1, 3, 17, 256] {
            var records: [HashSetRecord] = []
            try VICSFormat.read(ChunkReader(path: hashset("known-vics2.json"), chunkSize: chunk), record: { records.append($0) }, problem: { _ in })
            #expect(records == reference, "chunk size \(chunk)")
        }
    }

    /// The parser reuses its frames and buffers: a file cut at any byte gives a prefix of the
    /// whole file's records (a record is emitted only when its object closes) and, when records
    /// were kept, a problem naming the break; never a crash or a record from nowhere.
    @Test func vicsCutAtAnyByteGivesAPrefixOfItsRecords() throws {
        let whole = TestPaths.bytes(hashset("known-vics2.json"))
        let lastBrace = try #require(whole.lastIndex(of: UInt8(ascii: "}")))
        var reference: [HashSetRecord] = []
        try VICSFormat.read(ChunkReader(path: hashset("known-vics2.json")), record: { reference.append($0) }, problem: { _ in })
        let file = temp.url("cut.json")
        for cut in 0..<whole.count {
            FileManager.default.createFile(atPath: file, contents: Data(whole[..<cut]))
            var records: [HashSetRecord] = []
            var problems: [ImportProblem] = []
            do {
                try VICSFormat.read(ChunkReader(path: file, chunkSize: 7), record: { records.append($0) }, problem: { problems.append($0) })
            } catch is HashDatabaseError {
                #expect(records.isEmpty, "cut at \(cut): refused after keeping records")
                continue
            }
            #expect(records == Array(reference.prefix(records.count)), "cut at \(cut)")
            if cut <= lastBrace {
                #expect(!problems.isEmpty, "cut at \(cut): the break is reported")
            } else {
                #expect(records == reference && problems.isEmpty, "cut at \(cut): only white space is missing")
            }
        }
    }

    @Test func largeVICSStreamsInBoundedMemory() throws {
        // 100,000 records (~10 MB): the collector holds only open objects, so the record
        // callback sees them in order and nothing accumulates.
        let file = temp.url("large.json")
        let handle = FileHandle(forWritingAtPath: { FileManager.default.createFile(atPath: file, contents: nil); return file }())!
        handle.write(Data(#"{"@odata.context": "x", "value": [{"CaseID": 1, "Media": ["#.utf8))
        var chunk = ""
        for index in 0..<100_000 {
            let md5 = String(format: "%032x", index)
            chunk += (index == 0 ? "" : ",") + #"{"MediaID": \#(index), "Category": "\#(index % 4)", "MD5": "\#(md5)", "Comments": [{"x": 1}]}"#
            if chunk.utf8.count > 1 << 20 { handle.write(Data(chunk.utf8)); chunk = "" }
        }
        handle.write(Data((chunk + "]}]}").utf8))
        handle.closeFile()
        let db = database
        let outcome = try HashSetImporter(store: db).importFile(file)
        #expect(outcome.record.counts.added == 100_000)
        #expect(try db.info().perCategory[.n] == 25_000)
    }

    @Test func lookupReturnsEveryTypeStrongestFirstSoCrossTypeConflictsShow() throws {
        let db = database
        let digests = Digests(md5: [UInt8](repeating: 1, count: 16), sha1: [UInt8](repeating: 2, count: 20), sha256: [UInt8](repeating: 3, count: 32))
        _ = try db.importing(ImportDescription(fileName: "t", format: "test", source: "t")) { add in
            _ = try add(KnownEntry(md5: digests.md5, category: .c, source: "by-md5"))
            _ = try add(KnownEntry(sha256: digests.sha256, category: .a, source: "by-sha256"))
            return ImportCounts()
        }
        #expect(try db.lookup(digests) == .found([KnownMatch(category: .a, basis: .exact, hashType: .sha256, source: "by-sha256"),
                                                  KnownMatch(category: .c, basis: .exact, hashType: .md5, source: "by-md5")]))
        #expect(Resolution.resolve(matches: [KnownMatch(category: .a, basis: .exact, hashType: .sha256, source: "x"),
                                             KnownMatch(category: .c, basis: .exact, hashType: .md5, source: "y")], decision: nil).conflict)
        var other = digests
        other.sha256 = [UInt8](repeating: 9, count: 32)
        #expect(try db.lookup(other) == .found([KnownMatch(category: .c, basis: .exact, hashType: .md5, source: "by-md5")]))
    }

    @Test func fingerprintDependsOnContentNotOrder() throws {
        let one = try SQLiteHashDatabase(path: temp.url("one.sqlite"))
        let two = try SQLiteHashDatabase(path: temp.url("two.sqlite"))
        _ = try HashSetImporter(store: one).importFile(hashset("known-vics2.json"))
        _ = try HashSetImporter(store: one).importFile(hashset("known.md5"), category: .c)
        _ = try HashSetImporter(store: two).importFile(hashset("known.md5"), category: .c)
        _ = try HashSetImporter(store: two).importFile(hashset("known-vics2.json"))
        #expect(try one.fingerprint() == two.fingerprint())
        _ = try HashSetImporter(store: two).importFile(hashset("known.sha256"), category: .c)
        #expect(try one.fingerprint() != two.fingerprint())
    }

    @Test func aFileThatIsNotSQLiteIsAClearError() throws {
        let path = temp.url("not-a-db.sqlite")
        try "this is not a database, just text that is long enough to have a header region.............".write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try SQLiteHashDatabase(path: path, readOnly: true).info()
            Issue.record("expected an error")
        } catch let error as HashDatabaseError {
            #expect(error.message.contains("is not a SQLite database"))
            #expect(error.message.contains("--db"))
        }
    }

    @Test func missingDatabaseForReadingSaysWhatToDo() {
        #expect(throws: HashDatabaseError.self) { try SQLiteHashDatabase(path: temp.url("absent.sqlite"), readOnly: true) }
    }

    @Test func autoDetection() {
        #expect(HashSetFormats.detect(head: Array(#"{"@odata.context": "x", "value": []}"#.utf8)) == VICSFormat.self)
        #expect(HashSetFormats.detect(head: Array("%%%% HASHDEEP-1.0\n".utf8)) == HashdeepFormat.self)
        #expect(HashSetFormats.detect(head: Array("# list\n\(String(repeating: "a", count: 40))  x.jpg\n".utf8)) == DigestListFormat.self)
        #expect(HashSetFormats.detect(head: Array("Dear examiner, this is prose.".utf8)) == nil)
    }
}

@Suite struct PerceptualImportTests {
    let temp = TemporaryDirectory()
    var database: SQLiteHashDatabase { try! SQLiteHashDatabase(path: temp.url("hashdb.sqlite")) }

    func write(_ name: String, _ text: String) -> String {
        EvidenceTreeBuilder(root: temp.url("lists")).file(name, text: text)
    }

    @Test func pdqListsTakeHashQualityAndRejectBadLines() throws {
        let hash = String(repeating: "ab", count: 32)
        let file = write("list.pdq", """
            # a comment
            \(hash),90,photo.jpg
            \(String(repeating: "cd", count: 32)),,B,source
            \(String(repeating: "ef", count: 32))
            nothex,12
            \(String(repeating: "12", count: 32)),101

            """)
        let db = database
        let outcome = try HashSetImporter(store: db).importFile(file, category: .c)
        #expect(outcome.format == "pdq")
        #expect(outcome.record.counts.added == 3 && outcome.record.counts.rejected == 2)
        #expect(outcome.problems.map(\.location) == ["line 5", "line 6"])
        let index = try db.perceptualIndex(qualityFloor: 50)
        #expect(index.count == 3)  // quality 90 and two unknown qualities
        #expect(try db.perceptualIndex(qualityFloor: 95).count == 2)
        #expect(index.search(PDQHash(hex: hash)!, threshold: 0).map { index.entry($0.entry).category } == [.c])
    }

    /// The same PDQ hash under two categories is reported at import, like a digest conflict.
    @Test func samePDQUnderTwoCategoriesIsAConflict() throws {
        let hash = String(repeating: "3c", count: 32)
        let db = database
        _ = try HashSetImporter(store: db).importFile(write("a.pdq", "\(hash),90\n"), category: .a)
        let second = try HashSetImporter(store: db).importFile(write("b.pdq", "\(hash),90\n"), category: .b)
        #expect(second.record.conflicts.map(\.hashType) == [.pdq])
        #expect(Set(second.record.conflicts.first?.categories ?? []) == [.a, .b])
        #expect(try db.info().conflicts == 1)
    }

    @Test func vicsAlternativeHashesCarryPDQ() throws {
        let hash = String(repeating: "5a", count: 32)
        let file = write("v.json", """
            {"@odata.context": "x", "value": [
              {"MediaID": 1, "Category": 2, "MD5": "\(String(repeating: "0", count: 32))",
               "AlternativeHashes": [{"HashName": "PhotoDNA", "HashValue": "zz"}, {"HashName": "PDQ", "HashValue": "\(hash)", "MD5": "\(String(repeating: "1", count: 32))"}]},
              {"MediaID": 2, "Category": 1, "AlternativeHashes": [{"HashName": "pdq", "HashValue": "\(hash.uppercased())"}]},
              {"MediaID": 3, "Category": 1, "AlternativeHashes": [{"HashName": "PDQ", "HashValue": "short"}]}
            ]}
            """)
        let db = database
        let outcome = try HashSetImporter(store: db).importFile(file)
        // The AlternativeHashes objects are not records of their own, even with an MD5 inside.
        #expect(outcome.record.counts.read == 3)
        #expect(outcome.record.counts.added == 2)
        #expect(outcome.problems.first?.message.contains("PDQ is not 64 hex digits") == true)
        let index = try db.perceptualIndex(qualityFloor: 50)
        #expect(Set(index.search(PDQHash(hex: hash)!, threshold: 0).map { index.entry($0.entry).category }) == [.a, .b])
        #expect(try db.info().pdqEntries == 2)
    }
}
