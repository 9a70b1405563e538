import Testing
import Foundation
import Ember
import EmberData
import EmberTestSupport
@testable import EmberTrain

@Suite struct RatingsTableTests {
    @Test func readsMovieLensFormatsWithAndWithoutHeader() throws {
        let dir = try temporaryDirectory()
        try "196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t377\t1\t878887116\n".write(toFile: dir + "/u.data", atomically: true, encoding: .utf8)
        try "userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n1,1029,3.0,1260759179\n7,31,4.5,1260759185\n".write(toFile: dir + "/ratings.csv", atomically: true, encoding: .utf8)
        try "1::1193::5::978300760\n2::1193::4::978298413\n".write(toFile: dir + "/ratings.dat", atomically: true, encoding: .utf8)
        try "a,x,4\nb,y,5\n".write(toFile: dir + "/plain.csv", atomically: true, encoding: .utf8)
        let tab = try RatingsTable(path: dir + "/u.data")
        #expect(tab.count == 3 && tab.users == ["196", "186"] && tab.items == ["242", "302", "377"])
        #expect(tab.user == [0, 1, 0] && tab.item == [0, 1, 2] && tab.rating == [3, 3, 1] && tab.timestamp! == [881250949, 891717742, 878887116])
        let csv = try RatingsTable(path: dir + "/ratings.csv")
        #expect(csv.count == 3 && csv.rating == [2.5, 3.0, 4.5] && csv.lines == [2, 3, 4] && csv.users == ["1", "7"])
        #expect(try RatingsTable(path: dir + "/ratings.dat").items == ["1193"])
        let plain = try RatingsTable(path: dir + "/plain.csv")
        #expect(plain.timestamp == nil && plain.count == 2)
    }

    @Test func windowsLineEndingsSplitIntoLines() throws {
        // "\r\n" is one Character in Swift: a reader splitting at "\n" saw one long line.
        let dir = try temporaryDirectory()
        try "1::1193::5::978300760\r\n1::661::3::978302109\r\n2::1193::4::978298413\r\n".write(toFile: dir + "/crlf.dat", atomically: true, encoding: .utf8)
        let table = try RatingsTable(path: dir + "/crlf.dat")
        #expect(table.count == 3 && table.items == ["1193", "661"] && table.lines == [1, 2, 3] && table.timestamp! == [978300760, 978302109, 978298413])
        try "user,item,rating\r\nu,i,x\r\n".write(toFile: dir + "/bad.csv", atomically: true, encoding: .utf8)
        #expect(throws: DataError.badRow(path: dir + "/bad.csv", line: 2, detail: "cannot parse the rating \"x\" as a number")) {
            try RatingsTable(path: dir + "/bad.csv")
        }
    }

    @Test func badLinesNameTheFileAndLine() throws {
        let dir = try temporaryDirectory()
        try "1,2,3\n1,2,x\n".write(toFile: dir + "/bad.csv", atomically: true, encoding: .utf8)
        #expect(throws: DataError.badRow(path: dir + "/bad.csv", line: 2, detail: "cannot parse the rating \"x\" as a number")) {
            try RatingsTable(path: dir + "/bad.csv")
        }
        try "1,2\n".write(toFile: dir + "/short.csv", atomically: true, encoding: .utf8)
        #expect(throws: DataError.self) { try RatingsTable(path: dir + "/short.csv") }
        try "\n\n".write(toFile: dir + "/empty.csv", atomically: true, encoding: .utf8)
        #expect(throws: DataError.self) { try RatingsTable(path: dir + "/empty.csv") }
        #expect(throws: DataError.self) { try RatingsTable(path: dir + "/missing.csv") }
    }

    @Test func syntheticRatingsAreSeededAndNoisyAsDocumented() throws {
        var small = SyntheticRatings()
        small.users = 50
        small.items = 40
        small.perUser = 10
        let a = small.generate(), b = small.generate()
        #expect(a.count == 500 && a.map(\.rating) == b.map(\.rating))
        // Each user rates distinct items.
        for u in 0..<50 { #expect(Set(a.filter { $0.user == u }.map(\.item)).count == 10) }
        small.seed = 1
        #expect(small.generate().map(\.rating) != a.map(\.rating))
    }
}

/// `ember train --task recommend` and `ember recommend`.
@Suite(.serialized) struct RecommendationCommandTests {
    let ember = emberExecutable()
    let fixture = fixturesDirectory() + "/recommend/ratings.tsv"

    @Test func matrixFactorizationTrainsRecommendsAndRoundTrips() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        let r = try runProcess(ember, ["train", "--task", "recommend", "--dataset", "ratings:" + fixture, "--epochs", "4", "--factors", "8",
                                       "--batch-size", "64", "--lr", "0.02", "--seed", "1", "--out", dir + "/mf"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("rmse"), "\(r.stdout)")
        let lines = try String(contentsOfFile: dir + "/mf/metrics.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.first!.hasPrefix("epoch,step,train_loss,val_loss,train_mae,train_rmse,val_mae,val_rmse"))
        let loss = lines.dropFirst().map { Double($0.split(separator: ",")[2])! }
        #expect(loss.count == 4 && loss.last! < loss.first!, "\(loss)")
        let ids = try JSONDecoder().decode(RecommendationIDs.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/mf/ids.json")))
        let table = try RatingsTable(path: fixture)
        #expect(ids.users == table.users && ids.items == table.items)

        let rec = try runProcess(ember, ["recommend", dir + "/mf", "--user", table.users[0], "--k", "5"])
        #expect(rec.status == 0, "\(rec.stderr)")
        let rows = rec.stdout.split(separator: "\n").map { $0.split(separator: "\t") }
        #expect(rows.count == 5 && rows.map { $0[0] } == ["1", "2", "3", "4", "5"])
        // Only items unseen in training (the split: seed 1 + 4, the last 10% of a permutation held out), best first.
        let perm = Tensor.randperm(table.count, generator: Generator(seed: 5)).toArray(as: Int64.self).map { Int($0) }
        let trainRows = perm[..<(table.count - table.count / 10)]
        let seenByUser0 = Set(trainRows.filter { table.user[$0] == 0 }.map { table.items[table.item[$0]] })
        #expect(!seenByUser0.isEmpty)
        let scores = rows.map { Double($0[2])! }
        #expect(rows.allSatisfy { !seenByUser0.contains(String($0[1])) })
        #expect(scores == scores.sorted(by: >))
        let unknown = try runProcess(ember, ["recommend", dir + "/mf", "--user", "no-such-user"])
        #expect(unknown.status != 0 && unknown.stderr.contains("no-such-user"))
    }

    @Test func killedRecommendationRunResumesBitIdentical() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        try checkKilledRunResumesBitIdentical(ember, ["train", "--task", "recommend", "--model", "ncf", "--dataset", "ratings:" + fixture,
                                                      "--epochs", "2", "--factors", "8", "--batch-size", "64", "--seed", "4",
                                                      "--checkpoint-every", "5", "--out", dir + "/a"], dir: dir, minStep: 20)
        let report = try String(contentsOfFile: dir + "/b/validation.json", encoding: .utf8)
        #expect(report.contains("hr@10") && report.contains("ndcg@10"))
        #expect(FileManager.default.fileExists(atPath: dir + "/b/baseline.json"))
    }
}
