import Evidence
import Hashing
import TriageCore

/// The Expand stage: a container's members are examined like files, depth first, each with a
/// forensic path through the container (`backup.zip!/2019/b.tar.gz!/x.jpg`). Nothing is
/// written anywhere: members are read from the container as streams.
extension FileExaminer {
    /// Examines every member of a container (emitting their results) and returns the
    /// container's own result: `processed`, or the damage, encryption or limit that stopped it.
    func expand(_ stream: any ByteStream, as format: any ContainerFormat, head: UnsafeRawBufferPointer, moreToRead: Bool,
                declaredSize: Int64?, result: ItemResult, budget: ExpansionBudget, emit: (ItemResult) -> Void) -> ItemResult {
        var result = result
        if result.path.depth >= expansion.maxDepth {
            result = streamDigests(stream, head: head, moreToRead: moreToRead, result: result)
            guard result.disposition == .processed else { return result }
            result.disposition = .maxDepth
            result.reason = "\(format.name) container at depth \(result.path.depth), the depth limit: hashed, not opened"
            return result
        }

        working?(result)
        let source: ContainerSource
        var containerSize = declaredSize
        let loaded: ContainerBytes
        do {
            loaded = try containerBytes(stream, as: format, head: head, moreToRead: moreToRead, declaredSize: declaredSize)
        } catch {
            return failedRead(result, error.failure, at: error.offset)
        }
        switch loaded {
        case .file(let file):
            if hashAll {
                result = streamDigests(file, head: head, moreToRead: moreToRead, result: result)
                guard result.digests != nil else { return result }
            }
            source = .file(file)
        case .memory(let block):
            var hasher = MultiHasher()
            hasher.update(block.bytes)
            result.digests = hasher.finalize()
            result.size = Int64(block.count)
            containerSize = Int64(block.count)
            source = .memory(block)
        case .stream(let prefix):
            source = .stream(prefix: prefix, rest: stream)
        case .tooLargeForMemory(let read):
            let hashed = read.map { streamDigests(stream, head: $0.bytes, moreToRead: true, result: result) }
                ?? streamDigests(stream, head: head, moreToRead: moreToRead, result: result)
            return tooLargeForMemory(hashed, format: format)
        }

        let level = budget.enter(size: containerSize)
        defer { budget.leave() }
        let reader: any ContainerReader
        do {
            reader = try format.open(source, name: result.path.fileName)
        } catch {
            return containerFailed(result, format: format, error, membersBefore: 0)
        }
        var listing = MemberListing(reader, of: result.path, budget: budget, maxEntries: expansion.maxEntries)
        while true {
            let member: ContainerMember, path: ForensicPath
            do {
                guard let next = try listing.next() else { break }
                (member, path) = next
                progressed?()
            } catch is MemberListing.EntryLimit {
                result.disposition = .entryLimit
                result.reason = "more than \(expansion.maxEntries) members (the limit): the rest are not listed"
                break
            } catch {
                result = containerFailed(result, format: format, error, membersBefore: listing.count)
                break
            }
            var item = ItemResult(path: path, size: member.declaredSize ?? 0, times: member.times, disposition: .processed)
            switch member.kind {
            case .directory:
                continue
            case .symlink(let target):
                item.disposition = .symlink
                item.linkTarget = target
                item.reason = "\(format.name) entry: symbolic link to \(SafeText.display(target)) (not followed)"
            case .hardLink(let target):
                item.disposition = .notRegularFile
                item.linkTarget = target
                item.reason = "\(format.name) entry: hard link to \(SafeText.display(target)), whose content is recorded under that name"
            case .special(let what):
                item.disposition = .notRegularFile
                item.reason = "\(format.name) entry: \(what); recorded, never created"
            case .regularFile where member.encrypted:
                item.disposition = .encrypted
                item.reason = "encrypted \(format.name) member: recorded, not decrypted"
            case .regularFile:
                let data = MemberStream(reader, budget: budget, path: item.path)
                item = examineContent(of: data, declaredSize: member.declaredSize, result: item, budget: budget, emit: emit)
                // Unread data is passed over through the limits, unless the library only seeks past it.
                if !data.failed, budget.stop == nil, !reader.skipsCheaply { drain(data) }
            }
            emit(item)
        }
        if result.disposition == .processed, let damage = reader.damage {
            result.disposition = .containerDamaged
            result.reason = "\(format.name): \(damage)"
        }
        if let stop = budget.stop {
            result.disposition = stop.disposition
            result.reason = stop.level == level ? stop.reason : "expansion stopped with the enclosing container: \(stop.reason)"
            budget.resolved(at: level)
        }
        return result
    }

    /// Where a container's library reads it from.
    enum ContainerBytes {
        /// The evidence file itself (seekable).
        case file(EvidenceFile)
        /// A member (or a PDF) read whole into memory (seekable).
        case memory(MemoryBlock)
        /// A member larger than the memory limit: the bytes read so far, then the rest of the stream.
        case stream(prefix: MemoryBlock)
        /// Larger than the memory limit, for a library that reads only from memory: not opened. The
        /// bytes read so far (nil: only the head).
        case tooLargeForMemory(read: MemoryBlock?)
    }

    /// A read that failed while a container was loaded, and where.
    struct LoadFailure: Error {
        var failure: Error
        var offset: Int64
    }

    /// Chooses, as the scan does, where the library reads a container from: an evidence file
    /// stays on disk; a member (or a PDF, which qpdf reads only from memory) is held in memory up
    /// to the limit (zip and 7z seek to their directory), else read front to back.
    func containerBytes(_ stream: any ByteStream, as format: any ContainerFormat, head: UnsafeRawBufferPointer, moreToRead: Bool,
                        declaredSize: Int64?) throws(LoadFailure) -> ContainerBytes {
        if let file = stream as? EvidenceFile, !format.readsFromMemory { return .file(file) }
        let limit = expansion.maxContainerBytesInMemory
        if format.readsFromMemory, let size = declaredSize, size > Int64(limit) { return .tooLargeForMemory(read: nil) }
        // A member's declared size comes from the evidence: memory grows as bytes arrive,
        // from at most 16 MiB reserved on its word.
        let block = MemoryBlock(capacity: Int(min(declaredSize ?? 0, Int64(min(limit, 16 << 20)))) + Self.chunkLength)
        block.append(head)
        var complete = !moreToRead
        while !complete, block.count <= limit {
            let space = block.space(atLeast: Self.chunkLength)
            do {
                let count = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: space[0..<Self.chunkLength]))
                if count == 0 { complete = true } else { block.count += count }
                progressed?()
            } catch {
                throw LoadFailure(failure: error, offset: Int64(block.count))
            }
        }
        if complete { return .memory(block) }
        return format.readsFromMemory ? .tooLargeForMemory(read: block) : .stream(prefix: block)
    }

    /// A container its library can read only from memory, larger than the memory limit: hashed.
    private func tooLargeForMemory(_ hashed: ItemResult, format: any ContainerFormat) -> ItemResult {
        var result = hashed
        guard result.disposition == .processed else { return result }
        result.disposition = .expansionLimit
        result.reason = "\(format.name) container larger than the memory limit of \(expansion.maxContainerBytesInMemory) bytes, which its library needs: hashed, not opened"
        return result
    }

    /// The container's result when its library gives up: damaged or encrypted from that member
    /// on (a limit is recorded from the budget by the caller).
    private func containerFailed(_ result: ItemResult, format: any ContainerFormat, _ error: Error, membersBefore: Int) -> ItemResult {
        var result = result
        if error is ExpansionBudget.Stop { return result }  // recorded from the budget by the caller
        guard let error = error as? ContainerError else {
            result.disposition = .containerDamaged
            result.reason = "\(format.name): \(error); " + (membersBefore == 0 ? "no member found before it" : "\(membersBefore) member(s) found before it are recorded")
            return result
        }
        if membersBefore == 0, error.kind == .damaged, format.hasWeakSignature {
            // Most likely random data that happens to carry the signature: a plain file.
            result.reason = "\(SafeText.display(result.mime ?? "")) by a short signature, but not readable as \(format.name) (\(error.message)): examined as a plain file"
            return result
        }
        result.disposition = error.kind == .encrypted ? .encrypted : .containerDamaged
        let found = membersBefore == 0 ? "no member found before it" : "\(membersBefore) member(s) found before it are recorded"
        result.reason = "\(format.name): \(error.message); \(found)"
        return result
    }

    /// Reads the rest of a member and throws it away, so that limits see what decompression costs.
    func drain(_ data: MemberStream) {
        let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[Self.deepHeadRoom...])
        while let count = try? data.read(into: chunk), count > 0 { progressed?() }
    }
}
