-- The changes of the DMS walkthrough: the cdc file must read
-- U,7,ABC XYZ,Phoenix / I,130.. / I,131.. / I,132.. / U,8,ABC XYZ,Denver / D,10,Jack Hicks,Houston
UPDATE Persons SET FullName = 'ABC XYZ' WHERE PersonID = 7;
INSERT INTO Persons VALUES (130, 'Alica Bing', 'New York');
INSERT INTO Persons VALUES (131, 'Malinda Bing', 'Detroit');
INSERT INTO Persons VALUES (132, 'Chandler Bing', 'Portland');
UPDATE Persons SET FullName = 'ABC XYZ' WHERE PersonID = 8;
DELETE FROM Persons WHERE PersonID = 10;
UPDATE Orders SET Note = 'line one
line two, "quoted"' WHERE OrderID = 1;
UPDATE Orders SET OrderID = 20 WHERE OrderID = 2;
