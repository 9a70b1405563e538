import Ember
import EmberData

/// `RatingsTable` of a MovieLens-format file (`user item rating [timestamp]`, tabs, commas or
/// `::`, header optional), as `ember train --task recommend --dataset ratings:FILE` reads it.
/// A table that reads must be consistent: one user index, item index, rating and line number
/// per rating, indices inside the id tables, finite ratings, lines increasing, and every id
/// used.
func fuzzRatings(_ path: String, _ check: inout Check) {
    let table: RatingsTable
    do {
        table = try RatingsTable(path: path)
    } catch {
        check.rejected(error, "RatingsTable(path:)")
        return
    }
    check.accepted()
    let n = table.count
    guard n > 0, table.user.count == n, table.item.count == n, table.lines.count == n,
          table.timestamp.map({ $0.count == n }) ?? true else {
        check.fail("RatingsTable: \(n) ratings but \(table.user.count) users, \(table.item.count) items, \(table.lines.count) lines, \(table.timestamp?.count ?? -1) timestamps")
        return
    }
    guard table.user.allSatisfy({ $0 >= 0 && $0 < table.users.count }), table.item.allSatisfy({ $0 >= 0 && $0 < table.items.count }) else {
        check.fail("RatingsTable: an index outside the \(table.users.count) user or \(table.items.count) item ids")
        return
    }
    guard Set(table.user).count == table.users.count, Set(table.item).count == table.items.count else {
        check.fail("RatingsTable: ids that no rating uses")
        return
    }
    guard table.rating.allSatisfy(\.isFinite), zip(table.lines, table.lines.dropFirst()).allSatisfy({ $0 < $1 }) else {
        check.fail("RatingsTable: a non-finite rating or line numbers out of order")
        return
    }
}
